import { randomUUID } from 'node:crypto';
import { ConsumerRunner, metricsRegistry, type RefusingSlice } from '@cie/platform';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import { testDatabaseUrl } from './database.js';
import { expectEventually } from './expect-eventually.js';
import { readTopic, testKafka } from './kafka-reader.js';

const run = randomUUID().slice(0, 8);
const schema = `runner_it_${run}`;

async function createTopics(kafka: Kafka, ...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

describe('ConsumerRunner on a real broker and database', () => {
  const kafka = testKafka(`runner-it-${run}`);
  const db = new pg.Pool({ connectionString: testDatabaseUrl(), max: 4 });
  let producer: Producer;
  const runners: ConsumerRunner[] = [];
  const crashes: Error[] = [];

  const runner = (options: {
    topic: string;
    stallAfterMs?: number;
    handle: (slice: RefusingSlice) => Promise<void>;
  }) => {
    const r = new ConsumerRunner({
      name: `runner-it-${options.topic.slice(-8)}`,
      kafka,
      groupId: `runner-it-${options.topic}`,
      topics: [options.topic],
      stallAfterMs: options.stallAfterMs ?? 60_000,
      backoff: { initialMs: 50, maxMs: 200 },
      onCrash: (error) => crashes.push(error),
      commits: 'runner',
      handle: options.handle,
    });
    runners.push(r);
    return r;
  };

  beforeAll(async () => {
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.notes (message_offset bigint PRIMARY KEY, note text NOT NULL)`);
    await db.query(`CREATE TABLE ${schema}.locks (id int PRIMARY KEY)`);
    await db.query(`INSERT INTO ${schema}.locks VALUES (1)`);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    for (const r of runners) await r.stop();
    await producer.disconnect();
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.end();
    expect(crashes).toEqual([]);
  });

  it('dead-letters the message PostgreSQL refuses (a NUL, 22021) with its code, bytes and headers; the partition moves on', async () => {
    const topic = `cie.testing.runner.poison.${run}`;
    await createTopics(kafka, topic, `${topic}.dlq`);
    // The whole slice in one statement, as consumers write batches: the NUL fails all of it.
    const consumer = runner({
      topic,
      handle: async (slice) => {
        await db.query(
          `INSERT INTO ${schema}.notes SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING`,
          [slice.messages.map((m) => m.offset), slice.messages.map((m) => m.value?.toString() ?? '')],
        );
      },
    });
    await expect(consumer.ready()).rejects.toThrow(/is not joined/);
    await consumer.start();

    const poison = { key: 'k', value: Buffer.from('a NUL \u0000 here'), headers: { ce_id: 'poison-1' } };
    await producer.send({
      topic,
      messages: [{ key: 'k', value: 'first' }, poison, { key: 'k', value: 'second' }],
    });
    const dead = await readTopic(kafka, `${topic}.dlq`, { until: (m) => m.length >= 1, timeoutMs: 30_000 });
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value).toEqual(poison.value);
    expect(dead[0]?.headers).toMatchObject({
      ce_id: 'poison-1',
      dlq_code: 'unstorable',
      dlq_source_topic: topic,
      dlq_source_partition: '0',
      dlq_source_offset: '1',
    });
    expect(dead[0]?.headers['dlq_reason']).toMatch(/invalid byte sequence for encoding "UTF8": 0x00/);

    // A message produced after the poison one, on the same partition, is processed within 5 s.
    await producer.send({ topic, messages: [{ key: 'k', value: 'after' }] });
    const notes = await expectEventually(
      async () => {
        const { rows } = await db.query<{ message_offset: string; note: string }>(
          `SELECT message_offset, note FROM ${schema}.notes ORDER BY message_offset`,
        );
        expect(rows.map((r) => r.note)).toEqual(['first', 'second', 'after']);
        return rows;
      },
      { timeoutMs: 5_000 },
    );
    expect(notes.map((r) => r.message_offset)).toEqual(['0', '2', '3']);
    await expect(consumer.ready()).resolves.toBeUndefined();
    expect(await metricsRegistry.getSingleMetricAsString('cie_consumer_isolated_messages_total')).toContain(
      `{consumer="runner-it-${topic.slice(-8)}",topic="${topic}",code="unstorable"} 1`,
    );
  });

  it('turns not ready, naming the partition, while a transient error (55P03 lock_not_available) holds it, and recovers', async () => {
    const topic = `cie.testing.runner.stall.${run}`;
    await createTopics(kafka, topic, `${topic}.dlq`);
    const handled: string[] = [];
    const consumer = runner({
      topic,
      stallAfterMs: 1_500,
      handle: async (slice) => {
        await db.query(`SELECT id FROM ${schema}.locks WHERE id = 1 FOR UPDATE NOWAIT`);
        handled.push(...slice.messages.map((m) => m.value?.toString() ?? ''));
      },
    });
    await consumer.start();
    await expectEventually(() => consumer.ready(), { timeoutMs: 30_000 });

    // Another transaction holds the row: every attempt fails with lock_not_available.
    const holder = await db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM ${schema}.locks WHERE id = 1 FOR UPDATE`);
      await producer.send({ topic, messages: [{ key: 'k', value: 'held' }] });
      await expectEventually(
        async () => {
          await expect(consumer.ready()).rejects.toThrow(
            new RegExp(`^${topic.replaceAll('.', '\\.')}\\[0\\] has lag 1 and no progress for \\d+ s$`),
          );
        },
        { timeoutMs: 20_000 },
      );
      expect(handled).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }

    await expectEventually(() => consumer.ready(), { timeoutMs: 10_000 });
    expect(handled).toEqual(['held']);
    expect(await readTopic(kafka, `${topic}.dlq`, { until: () => false, timeoutMs: 1_500 })).toEqual([]);
  });
});
