import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CE_SPEC_VERSION, CeHeader, CreditRecordSchema, FeedEventSchema, Topics } from '@cie/contracts';
import { testKafka, testKafkaBrokers } from '@cie/testing';
import { cie } from '../test/cie-process.js';

const subscriber = `cli-tail-${randomUUID().slice(0, 8)}`;

describe('cie feed tail on a real broker', () => {
  const kafka = testKafka(subscriber);
  const topic = Topics.feed(subscriber);
  const eventId = randomUUID();

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const event = create(FeedEventSchema, {
      eventId,
      type: 'credit.record.published',
      subscriber,
      record: create(CreditRecordSchema, { recordId: randomUUID(), version: 1 }),
      occurredAt: timestampFromDate(new Date('2026-11-30T08:00:00Z')),
    });
    await producer.send({
      topic,
      messages: [
        { key: 'subject-1', value: Buffer.from('not protobuf \xff'), headers: { [CeHeader.id]: 'junk' } },
        {
          key: 'subject-1',
          value: Buffer.from(toBinary(FeedEventSchema, event)),
          headers: {
            [CeHeader.specversion]: CE_SPEC_VERSION,
            [CeHeader.id]: eventId,
            [CeHeader.type]: 'credit.record.published',
            [CeHeader.time]: '2026-11-30T08:00:00.000Z',
          },
        },
      ],
    });
    await producer.disconnect();
  });

  it('prints the feed decoded as JSON lines, reports what does not decode, and stops after --max', async () => {
    const { code, stdout, stderr } = await cie([
      'feed',
      'tail',
      subscriber,
      '--brokers',
      testKafkaBrokers().join(','),
      '--from-beginning',
      '--max',
      '1',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/offset 0 is not a FeedEvent/);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      partition: 0,
      offset: '1',
      key: 'subject-1',
      type: 'credit.record.published',
      id: eventId,
      event: { eventId, subscriber, record: { version: 1 }, occurredAt: '2026-11-30T08:00:00Z' },
    });
  });

  it('exits 2 naming the topic when the subscriber has no feed', async () => {
    const { code, stderr } = await cie([
      'feed',
      'tail',
      'no-such-platform',
      '--brokers',
      testKafkaBrokers().join(','),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no feed topic credit\.feed\.no-such-platform\.v1/);
  });

  it('exits 2 when it cannot reach Kafka', async () => {
    const { code, stderr } = await cie(['feed', 'tail', subscriber, '--brokers', '127.0.0.1:9']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot connect to Kafka at 127\.0\.0\.1:9/);
  });
});
