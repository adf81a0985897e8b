import { decideAnswer, type GivenAnswer, stateAfter, type StoredAnswer } from './task-answers.js';

const given = (outcome: GivenAnswer['outcome'], more: Partial<GivenAnswer> = {}): GivenAnswer => ({
  outcome,
  reasonCode: '',
  legalGround: '',
  note: '',
  ...more,
});
const stored = (
  stage: StoredAnswer['stage'],
  answer: GivenAnswer,
  publishedAt: Date | null = new Date('2026-01-05T08:00:00Z'),
): StoredAnswer => ({
  ...answer,
  stage,
  eventId: `event-${stage}`,
  answeredAt: new Date('2026-01-05T07:59:00Z'),
  publishedAt,
});

const apply = { kind: 'apply', state: 'delivered' } as const;
const lift = { kind: 'lift', state: 'delivered' } as const;

describe('answering a measure task', () => {
  it('Given an apply task cancelled by its lift, When it is answered, Then that conflicts', () => {
    expect(decideAnswer({ kind: 'apply', state: 'cancelled' }, [], given('applied'))).toMatchObject({
      type: 'conflict',
      detail: expect.stringContaining('cancelled') as unknown,
    });
  });

  it('Given a new apply task, When it is acknowledged, Then the acknowledgement is stored before any final answer', () => {
    expect(decideAnswer(apply, [], given('acknowledged'))).toEqual({
      type: 'store',
      stage: 'acknowledgement',
    });
  });

  it('Given an acknowledged apply task, When it is answered applied, Then that is its final answer', () => {
    const answers = [stored('acknowledgement', given('acknowledged'))];
    expect(decideAnswer(apply, answers, given('applied'))).toEqual({ type: 'store', stage: 'final' });
  });

  it('Given an apply task, When it is answered applied without an acknowledgement, Then that is its final answer', () => {
    expect(decideAnswer(apply, [], given('applied'))).toEqual({ type: 'store', stage: 'final' });
  });

  it.each([
    ['not_applicable', {}, 'reasonCode'],
    ['declined', {}, 'legalGround'],
    ['applied', { reasonCode: 'branch_closed' }, 'reasonCode'],
    ['not_applicable', { reasonCode: 'no_bid', legalGround: '《政府采购法》第二十二条' }, 'legalGround'],
  ] as const)(
    'Given an apply task, When it is answered %s with %j, Then %s is refused',
    (outcome, more, field) => {
      expect(decideAnswer(apply, [], given(outcome, more))).toMatchObject({ type: 'refuse', field });
    },
  );

  it('Given a lift task, When it is answered applied, Then the outcome is refused: a lift is acknowledged', () => {
    expect(decideAnswer(lift, [], given('applied'))).toMatchObject({ type: 'refuse', field: 'outcome' });
    expect(decideAnswer(lift, [], given('acknowledged'))).toEqual({ type: 'store', stage: 'final' });
  });

  it('Given an answer, When the same answer comes again, Then it is the same answer (same event id)', () => {
    const first = stored('final', given('not_applicable', { reasonCode: 'no_business', note: '无业务往来' }));
    expect(
      decideAnswer(
        'apply',
        [first],
        given('not_applicable', { reasonCode: 'no_business', note: '无业务往来' }),
      ),
    ).toEqual({ type: 'repeat', answer: first });
  });

  it('Given a final answer, When another final answer or a late acknowledgement comes, Then both conflict', () => {
    const answers = [stored('final', given('applied'))];
    expect(decideAnswer(apply, answers, given('declined', { legalGround: '依法不予适用' }))).toMatchObject({
      type: 'conflict',
    });
    expect(decideAnswer(apply, answers, given('acknowledged'))).toMatchObject({
      type: 'conflict',
      detail: expect.stringContaining('already answered applied') as unknown,
    });
  });

  it('Given an answer not yet on Kafka, When a different one comes, Then the conflict says to send the first again', () => {
    const answers = [stored('final', given('applied'), null)];
    expect(decideAnswer(apply, answers, given('applied', { note: '改' }))).toMatchObject({
      type: 'conflict',
      detail: expect.stringContaining('send the same answer again') as unknown,
    });
  });

  it('Given the answers published, When the task takes its state, Then a late acknowledgement never overrides the final answer', () => {
    expect(stateAfter('delivered', { stage: 'acknowledgement', outcome: 'acknowledged' })).toBe(
      'acknowledged',
    );
    expect(stateAfter('acknowledged', { stage: 'final', outcome: 'applied' })).toBe('applied');
    expect(stateAfter('applied', { stage: 'acknowledgement', outcome: 'acknowledged' })).toBe('applied');
    expect(stateAfter('delivered', { stage: 'final', outcome: 'acknowledged' })).toBe('acknowledged');
  });
});
