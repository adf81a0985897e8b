import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  CE_SPEC_VERSION,
  CeHeader,
  CreditEventType,
  FeedEventSchema,
  MeasureTaskSchema,
  PROTOBUF_CONTENT_TYPE,
  SubjectKind,
  TaskKind,
} from '@cie/contracts';
import {
  decodeFeedItem,
  decodeFeedMessage,
  FeedMessageRejected,
  FeedRejection,
} from './feed-event.decoder.js';

const SUBSCRIBER = 'beijing-platform';

function message(
  overrides: {
    type?: string;
    subscriber?: string;
    headers?: Record<string, string>;
    version?: number;
    attributes?: Record<string, string>;
  } = {},
) {
  const type = overrides.type ?? CreditEventType.published;
  const value = Buffer.from(
    toBinary(
      FeedEventSchema,
      create(FeedEventSchema, {
        eventId: 'ev-1',
        type,
        subscriber: overrides.subscriber ?? SUBSCRIBER,
        occurredAt: timestampFromDate(new Date('2026-01-01T00:00:00Z')),
        record: {
          recordId: 'rec-1',
          version: overrides.version ?? 1,
          kind: 'courts.dishonest_debtor',
          subject: {
            kind: SubjectKind.LEGAL_ENTITY,
            canonicalId: '91320100748204660Q',
            name: 'n',
            regionCode: '320100',
          },
          attributes: overrides.attributes ?? { a: '1' },
        },
      }),
    ),
  );
  return {
    value,
    headers: {
      [CeHeader.specversion]: CE_SPEC_VERSION,
      [CeHeader.id]: 'ev-1',
      [CeHeader.source]: '/exchange',
      [CeHeader.type]: type,
      [CeHeader.time]: '2026-01-01T00:00:00Z',
      [CeHeader.subject]: '91320100748204660Q',
      [CeHeader.dataschema]: FeedEventSchema.typeName,
      [CeHeader.contentType]: PROTOBUF_CONTENT_TYPE,
      ...overrides.headers,
    },
  };
}

function rejection(m: ReturnType<typeof message>): FeedMessageRejected {
  try {
    decodeFeedMessage(m, SUBSCRIBER);
  } catch (error) {
    if (error instanceof FeedMessageRejected) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('decodeFeedMessage', () => {
  it('decodes a feed event with its record, enums as lower-case names', () => {
    const event = decodeFeedMessage(message(), SUBSCRIBER);
    expect(event).toMatchObject({
      eventId: 'ev-1',
      type: CreditEventType.published,
      occurredAt: new Date('2026-01-01T00:00:00Z'),
      record: {
        recordId: 'rec-1',
        version: 1,
        subject: { kind: 'legal_entity', canonicalId: '91320100748204660Q', idNumber: null },
        attributes: { a: '1' },
      },
    });
  });

  it('refuses a missing CloudEvents header, naming it', () => {
    const m = message();
    delete (m.headers as Record<string, string>)[CeHeader.id];
    expect(rejection(m)).toMatchObject({
      code: FeedRejection.BAD_ENVELOPE,
      message: 'header ce_id is missing',
    });
  });

  it('refuses bytes that are not a FeedEvent', () => {
    const m = { ...message(), value: Buffer.from([0xff, 0xff, 0xff, 0xff]) };
    expect(rejection(m).code).toBe(FeedRejection.BAD_PAYLOAD);
  });

  it("refuses another subscriber's event", () => {
    expect(rejection(message({ subscriber: 'shanghai-platform' }))).toMatchObject({
      code: FeedRejection.WRONG_SUBSCRIBER,
    });
  });

  it('refuses an unknown event type and a ce_type that disagrees with the payload', () => {
    expect(rejection(message({ type: 'credit.record.exploded' })).code).toBe(FeedRejection.UNKNOWN_TYPE);
    expect(rejection(message({ headers: { [CeHeader.type]: CreditEventType.withdrawn } })).message).toContain(
      'ce_type is credit.record.withdrawn',
    );
  });

  it('refuses a dispute event without a dispute id', () => {
    expect(rejection(message({ type: CreditEventType.disputed })).message).toContain(
      'without dispute.dispute_id',
    );
  });

  it('refuses what PostgreSQL could not store: a NUL character, a version beyond int', () => {
    expect(rejection(message({ attributes: { a: 'x\u0000y' } })).message).toContain('NUL character');
    expect(rejection(message({ version: 2_147_483_648 })).code).toBe(FeedRejection.BAD_PAYLOAD);
  });
});

describe('decodeFeedItem', () => {
  const task = (
    fields: MessageInitShape<typeof MeasureTaskSchema> = {},
    headers: Record<string, string> = {},
  ) => ({
    value: Buffer.from(
      toBinary(
        MeasureTaskSchema,
        create(MeasureTaskSchema, {
          taskId: 'task-1',
          kind: TaskKind.APPLY,
          entryId: 'entry-1',
          measureId: 'dishonest-debtors-2016.subsidy',
          implementerId: SUBSCRIBER,
          subjectId: '91320100748204660Q',
          scenarios: ['subsidy'],
          dueBy: '2026-01-12',
          issuedAt: timestampFromDate(new Date('2026-01-05T00:00:00Z')),
          ...fields,
        }),
      ),
    ),
    headers: {
      ...message().headers,
      [CeHeader.id]: 'ev-task-1',
      [CeHeader.type]: AgencyRequestType.measureTask,
      [CeHeader.dataschema]: MeasureTaskSchema.typeName,
      ...headers,
    },
  });
  const refusal = (m: ReturnType<typeof task>) => {
    try {
      decodeFeedItem(m, SUBSCRIBER);
    } catch (error) {
      if (error instanceof FeedMessageRejected) return error;
      throw error;
    }
    throw new Error('expected a rejection');
  };

  it('Given a measure task for this platform, When decoded, Then it is a task, not a record event', () => {
    expect(decodeFeedItem(task(), SUBSCRIBER)).toMatchObject({
      kind: 'task',
      task: {
        taskId: 'task-1',
        eventId: 'ev-task-1',
        kind: 'apply',
        liftsTaskId: null,
        scenarios: ['subsidy'],
        subject: { canonicalId: '91320100748204660Q' },
        dueBy: '2026-01-12',
        issuedAt: new Date('2026-01-05T00:00:00Z'),
      },
    });
    expect(decodeFeedItem(message(), SUBSCRIBER)).toMatchObject({ kind: 'event' });
  });

  it('Given a task for another implementer, a task without a kind, or a FeedEvent under the task type, Then each is refused', () => {
    expect(refusal(task({ implementerId: 'shanghai-platform' })).code).toBe(FeedRejection.WRONG_SUBSCRIBER);
    expect(refusal(task({ kind: TaskKind.UNSPECIFIED })).message).toContain('kind');
    expect(refusal(task({ dueBy: 'next week' })).message).toContain('due_by');
    expect(refusal(task({}, { [CeHeader.dataschema]: FeedEventSchema.typeName })).code).toBe(
      FeedRejection.BAD_ENVELOPE,
    );
  });
});
