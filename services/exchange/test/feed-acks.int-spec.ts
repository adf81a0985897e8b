import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { DELETION_EVENT_TYPES, FeedAckSchema, Topics } from '@cie/contracts';
import { readTopic, testDatabaseUrl, testKafka, testKafkaBrokers } from '@cie/testing';
import { Partitioners, type Producer } from 'kafkajs';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`feed-acks-it-${run}`);

const exchange = new ExchangeProcess(
  exchangeEnv({
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    KAFKA_CONSUMER_GROUP: `feed-acks-it-${run}`,
    EXCHANGE_INSTANCE_ID: `feed-acks-it-${run}`,
    PORT: '38093',
  }),
);
const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

describe('deletion acknowledgements the exchange cannot store', () => {
  beforeAll(() => Promise.all([exchange.start(), producer.connect()]));

  afterAll(async () => {
    await exchange.stop();
    await producer.disconnect();
  });

  it('dead-letters an ack with a NUL in the subscriber or a non-UUID event id with its code, and reads on', async () => {
    const ack = (test: string, subscriber: string, eventId: string) => ({
      key: `feed-acks-it-${run}`, // one key: one partition, in this order
      value: Buffer.from(
        toBinary(
          FeedAckSchema,
          create(FeedAckSchema, {
            subscriber,
            eventId,
            recordId: randomUUID(),
            version: 1,
            eventType: 'withdrawn',
          }),
        ),
      ),
      headers: { test_id: `${run}-${test}` },
    });
    const unknownDelivery = randomUUID();
    await producer.send({
      topic: Topics.feedAcks,
      messages: [
        ack('nul', 'beijing-platform\u0000', randomUUID()),
        ack('not-uuid', 'beijing-platform', 'not-a-uuid'),
        ack('unknown', 'beijing-platform', unknownDelivery),
      ],
    });

    const mine = (m: { headers: Record<string, string> }) => m.headers['test_id']?.startsWith(run) ?? false;
    const dead = (
      await readTopic(kafka, Topics.deadLetters(Topics.feedAcks), {
        until: (m) => m.filter(mine).length >= 3,
        timeoutMs: 30_000,
      })
    ).filter(mine);
    expect(
      dead.map((m) => [
        m.headers['test_id'],
        m.headers['dlq_code'],
        m.headers['dlq_field'],
        m.headers['dlq_reason'],
      ]),
    ).toEqual([
      [`${run}-nul`, 'invalid_field', 'subscriber', 'subscriber contains a NUL or control character'],
      [`${run}-not-uuid`, 'invalid_field', 'eventId', 'eventId is not a UUID'],
      [
        `${run}-unknown`,
        'unknown_record',
        undefined,
        `no ${DELETION_EVENT_TYPES.join(' / ')} delivery ${unknownDelivery} to subscriber beijing-platform`,
      ],
    ]);
    const ready = await fetch(`${exchange.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks['feed-acks']).toEqual({
      status: 'up',
    });
  });
});
