import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { testDatabaseUrl } from './database.js';
import { readTopic, testKafka } from './kafka-reader.js';

describe('test infrastructure (real Kafka and PostgreSQL)', () => {
  const kafka = testKafka('cie-testing-int');

  it('readTopic returns a produced message with its key, value and headers', async () => {
    const topic = `cie.testing.reader.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [{ key: 'k-1', value: Buffer.from([0, 1, 2]), headers: { ce_type: 'test.ping' } }],
      });
    } finally {
      await producer.disconnect();
    }

    const messages = await readTopic(kafka, topic, { until: (m) => m.length >= 1, timeoutMs: 30_000 });
    expect(messages).toEqual([
      {
        key: 'k-1',
        value: Buffer.from([0, 1, 2]),
        headers: { ce_type: 'test.ping' },
        partition: 0,
        offset: '0',
      },
    ]);
  });

  it('readTopic returns what it has when the condition is never met', async () => {
    const topic = `cie.testing.empty.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const messages = await readTopic(kafka, topic, { until: (m) => m.length > 0, timeoutMs: 1_500 });
    expect(messages).toEqual([]);
  });

  it('readTopic reads committed transactional records from every partition and skips aborted ones', async () => {
    const topic = `cie.testing.tx.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({
      transactionalId: `cie-testing-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'aborted', value: 'x', partition: 0 }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({
        topic,
        messages: [0, 1, 2].map((partition) => ({
          key: `k-${partition}`,
          value: `v-${partition}`,
          partition,
        })),
      });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }

    const messages = await readTopic(kafka, topic, { until: (m) => m.length >= 3, timeoutMs: 30_000 });
    expect(messages.map((m) => `${m.partition}:${m.key}=${m.value.toString()}`).sort()).toEqual([
      '0:k-0=v-0',
      '1:k-1=v-1',
      '2:k-2=v-2',
    ]);
  });

  it('DATABASE_URL answers select 1', async () => {
    const client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ one: number }>('select 1 as one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});
