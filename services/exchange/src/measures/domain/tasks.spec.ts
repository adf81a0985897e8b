import { exchangeCatalogue } from '../../catalogue/catalogue.loader.js';
import type { CanonicalRecord } from '../../domain/canonical-record.js';
import type { SubscriberPolicy } from '../../domain/routing.js';
import { loadJointMeasures } from '../measures.loader.js';
import { decideTaskAnswer, planApplyTasks, planLifts, type TaskView } from './tasks.js';

const { memoranda } = loadJointMeasures(exchangeCatalogue());

const record = (regionCode: string): CanonicalRecord =>
  ({
    recordId: 'r1',
    source: { sector: 'courts' },
    subject: { kind: 'legal_entity', canonicalId: '91110105MA01C8XK3R', name: '北京某某', regionCode },
    kind: 'courts.dishonest_debtor',
    polarity: 'negative',
    severity: 'serious',
    disclosure: { level: 'public', disclosureUntil: '2028-12-02' },
    status: 'active',
    attributes: {},
  }) as unknown as CanonicalRecord;

/** beijing-platform covers region 11 and receives courts records. */
const policy: SubscriberPolicy = {
  version: 'p1',
  release: { version: 'r1', sectors: { courts: [{ subscribers: ['*'], kinds: ['*'], levels: ['public'] }] } },
  subscribers: [
    {
      id: 'beijing-platform',
      name: 'Beijing',
      sectors: ['courts'],
      kinds: ['*'],
      levels: ['public'],
      regions: ['11'],
      naturalPersonIdentity: 'clear',
    },
  ],
};

const plan = (regionCode: string) =>
  planApplyTasks({
    listType: 'courts.dishonest_debtors',
    listedOn: '2026-12-02',
    entryValidUntil: '2028-12-02',
    record: record(regionCode),
    memoranda,
    policy,
  });

describe('planApplyTasks', () => {
  it('sends one task per measure of the triggered memorandum to its implementer', () => {
    const { tasks, skipped } = plan('110105');
    expect(tasks.map((t) => [t.memorandum.documentNumber, t.measure.id, t.appliesUntil])).toEqual([
      ['发改财金〔2016〕141号', 'dd-procurement-ban', '2028-12-02'],
      ['发改财金〔2016〕141号', 'dd-subsidy', '2028-12-02'],
      ['发改财金〔2016〕141号', 'dd-licence-review', '2028-12-02'],
    ]);
    expect(skipped).toEqual([]);
  });

  it('sends a subscriber no task about a subject outside its access rules (a Shanghai company to Beijing)', () => {
    const { tasks, skipped } = plan('310115');
    expect(tasks.map((t) => t.measure.id)).toEqual(['dd-procurement-ban']);
    expect(skipped.map((s) => [s.measureId, s.implementerId])).toEqual([
      ['dd-subsidy', 'beijing-platform'],
      ['dd-licence-review', 'beijing-platform'],
    ]);
    expect(skipped[0]?.reason).toContain('region 310115 not entitled');
  });

  it('gives a fixed-period measure its own end', () => {
    const { tasks } = planApplyTasks({
      listType: 'tax.major_violations',
      listedOn: '2026-12-02',
      entryValidUntil: '2029-12-02',
      record: record('110105'),
      memoranda,
      policy: { ...policy, subscribers: [] },
    });
    expect(tasks.map((t) => [t.measure.id, t.appliesUntil])).toEqual([['tax-procurement-ban', '2029-12-02']]);
  });
});

const task = (over: Partial<TaskView & { liftsTaskId: string | null }> = {}) => ({
  taskId: 't1',
  kind: 'apply' as const,
  entryId: 'e1',
  measureId: 'dd-procurement-ban',
  implementerKind: 'agency' as const,
  implementerId: 'procurement-bj',
  sector: 'procurement',
  status: 'delivered' as const,
  reasonCode: null,
  legalGround: null,
  liftsTaskId: null,
  ...over,
});
const agency = { kind: 'agency' as const, sector: 'procurement', id: 'procurement-bj' };
const answer = (outcome: string, extra: { reasonCode?: string; legalGround?: string } = {}) => ({
  outcome,
  reasonCode: extra.reasonCode ?? '',
  legalGround: extra.legalGround ?? '',
});

describe('decideTaskAnswer', () => {
  it('takes an acknowledgement, then a final answer', () => {
    expect(decideTaskAnswer(task(), 't1', agency, answer('acknowledged'))).toEqual({
      status: 'acknowledged',
      acknowledged: true,
      final: false,
    });
    expect(decideTaskAnswer(task({ status: 'acknowledged' }), 't1', agency, answer('applied'))).toEqual({
      status: 'applied',
      acknowledged: false,
      final: true,
    });
  });

  it('refuses an answer for another agency’s task, or from another sector’s topic', () => {
    expect(
      decideTaskAnswer(task(), 't1', { ...agency, id: 'procurement-sh' }, answer('applied')),
    ).toMatchObject({
      refused: { code: 'not_owner' },
    });
    expect(decideTaskAnswer(task(), 't1', { ...agency, sector: 'tax' }, answer('applied'))).toMatchObject({
      refused: { code: 'not_owner' },
    });
    expect(
      decideTaskAnswer(task(), 't1', { kind: 'subscriber', id: 'procurement-bj' }, answer('applied')),
    ).toMatchObject({
      refused: { code: 'not_owner' },
    });
  });

  it('requires a reason code for not_applicable and a legal ground for declined', () => {
    expect(decideTaskAnswer(task(), 't1', agency, answer('not_applicable'))).toMatchObject({
      refused: { code: 'invalid_field', detail: expect.stringContaining('reasonCode') },
    });
    expect(decideTaskAnswer(task(), 't1', agency, answer('declined'))).toMatchObject({
      refused: { code: 'invalid_field', detail: expect.stringContaining('legalGround') },
    });
    expect(decideTaskAnswer(task(), 't1', agency, answer('maybe'))).toMatchObject({
      refused: { code: 'invalid_field' },
    });
  });

  it('takes the same answer twice as one, and refuses a different second answer', () => {
    const applied = task({ status: 'applied' });
    expect(decideTaskAnswer(applied, 't1', agency, answer('applied'))).toEqual({ repeated: true });
    expect(decideTaskAnswer(applied, 't1', agency, answer('declined', { legalGround: 'x' }))).toMatchObject({
      refused: { code: 'invalid_state', detail: 'task t1 was already answered applied' },
    });
  });

  it('answers a lift only with an acknowledgement, which lifts the applied measure', () => {
    const lift = task({ taskId: 't2', kind: 'lift', liftsTaskId: 't1' });
    expect(decideTaskAnswer(lift, 't2', agency, answer('applied'))).toMatchObject({
      refused: { code: 'invalid_field' },
    });
    expect(decideTaskAnswer(lift, 't2', agency, answer('acknowledged'))).toEqual({
      status: 'acknowledged',
      acknowledged: true,
      final: true,
      liftsApplyTask: 't1',
    });
  });

  it('refuses an unknown task and an answer to a cancelled one', () => {
    expect(decideTaskAnswer(undefined, 't9', agency, answer('applied'))).toMatchObject({
      refused: { code: 'unknown_record' },
    });
    expect(decideTaskAnswer(task({ status: 'cancelled' }), 't1', agency, answer('applied'))).toMatchObject({
      refused: { code: 'invalid_state' },
    });
  });
});

describe('planLifts', () => {
  it('lifts what was applied or is still open, cancels the open ones, and leaves refusals alone', () => {
    const tasks = [
      task({ taskId: 'a', status: 'applied' }),
      task({ taskId: 'b', status: 'acknowledged', implementerId: 'x' }),
      task({ taskId: 'c', status: 'declined', implementerId: 'y' }),
      task({ taskId: 'd', status: 'not_applicable', implementerId: 'z' }),
    ];
    const { lift, cancel } = planLifts(tasks);
    expect(lift.map((t) => t.taskId)).toEqual(['a', 'b']);
    expect(cancel).toEqual(['b']);
    expect(planLifts([...tasks, task({ taskId: 'l', kind: 'lift' })]).lift.map((t) => t.taskId)).toEqual([
      'b',
    ]);
  });
});
