import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { CreditEventType, FeedEventSchema, RecordStatus, SubjectKind, Topics } from '@cie/contracts';
import { type ReadMessage, readFeed, readTopic, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor, publishWithdrawal, testUscc } from './sector-events.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`lifecycle-it-${run}`);
const company = {
  sourceRecordId: `lifecycle-${run}`,
  kind: SubjectKind.LEGAL_ENTITY,
  idNumber: testUscc('110105', run, 901),
  name: '北京某某餐饮管理有限公司',
};

const eventsFor = (messages: ReadMessage[]) =>
  messages
    .map((m) => ({ type: m.headers['ce_type'], event: fromBinary(FeedEventSchema, m.value) }))
    .filter((e) => e.event.record?.source?.sourceRecordId === company.sourceRecordId);
const feed = (subscriber: string, until: (events: ReturnType<typeof eventsFor>) => boolean) =>
  readFeed(kafka, subscriber, {
    until: (m) => until(eventsFor([...m])),
    timeoutMs: 30_000,
  }).then(eventsFor);

describe('corrections and withdrawals reach every past receiver', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `lifecycle-it-${run}`,
        EXCHANGE_INSTANCE_ID: `lifecycle-it-${run}`,
        PORT: '28083',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await exchange.stop();
    await producer.disconnect();
  });

  it('sends corrected (version 2) and then withdrawn to exactly the subscribers that received the record', async () => {
    await publishDebtor(producer, company);
    await feed('beijing-platform', (e) => e.length > 0);
    await publishDebtor(producer, {
      ...company,
      outstandingAmount: '1000.00',
      eventType: CreditEventType.corrected,
    });
    await publishWithdrawal(producer, company);

    const receivers = ['beijing-platform', 'public-portal', 'procurement-regulator'];
    for (const subscriber of receivers) {
      const events = await feed(subscriber, (e) => e.some((x) => x.type === CreditEventType.withdrawn));
      expect(events.map((e) => [e.type, e.event.record?.version])).toEqual([
        [CreditEventType.published, 1],
        [CreditEventType.corrected, 2],
        [CreditEventType.withdrawn, 2],
      ]);
      expect(events[1]?.event.record?.attributes['outstandingAmount']).toBe('1000.00');
      expect(events[2]?.event.record?.status).toBe(RecordStatus.WITHDRAWN);
    }
    const shanghai = await readFeed(kafka, 'shanghai-platform', {
      until: () => false,
      timeoutMs: 3000,
    });
    expect(eventsFor(shanghai)).toEqual([]);
  });

  it('dead-letters a correction of a record the exchange does not hold, and one of a withdrawn record, with the reason', async () => {
    const unknown = {
      ...company,
      sourceRecordId: `never-published-${run}`,
      eventType: CreditEventType.corrected,
    };
    const unknownId = await publishDebtor(producer, unknown);
    const lateId = await publishDebtor(producer, {
      ...company,
      outstandingAmount: '1.00',
      eventType: CreditEventType.corrected,
    });
    const dlq = await readTopic(kafka, Topics.deadLetters(Topics.sectorEvents('courts')), {
      until: (m) => [unknownId, lateId].every((id) => m.some((x) => x.headers['ce_id'] === id)),
    });
    const reason = (id: string) => dlq.find((m) => m.headers['ce_id'] === id)?.headers['dlq_reason'];
    expect(reason(unknownId)).toBe(
      `agency court-bj-chaoyang has no record ${unknown.sourceRecordId} to correct`,
    );
    expect(reason(lateId)).toBe(`record ${company.sourceRecordId} of agency court-bj-chaoyang was withdrawn`);
  });
});
