import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema, SubjectKind } from '@cie/contracts';
import { expectEventually, type ReadMessage, readFeed, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor, testUscc } from './sector-events.js';

/**
 * Issue 13, fault 5: a zombie. Instance A stores a batch in PostgreSQL and is frozen (SIGSTOP, by
 * the fault switch FAULT_STOP_AFTER_STORE) before its Kafka transaction. Its session times out,
 * instance B takes the partitions over and publishes A's stored outputs itself. Then A is thawed
 * (SIGCONT) and goes on where it stopped: its transaction must be fenced, or every record of that
 * batch reaches its feeds twice. B must not stall, and A must come back into the group.
 */
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`zombie-it-${run}`);
const COUNT = 24;
const FEEDS = ['beijing-platform', 'public-portal', 'procurement-regulator'] as const;

const env = (instance: string, port: string, extra: Record<string, string> = {}) =>
  exchangeEnv({
    KAFKA_CONSUMER_GROUP: `zombie-it-${run}`,
    EXCHANGE_INSTANCE_ID: `zombie-it-${run}-${instance}`,
    PORT: port,
    ...extra,
  });

/** The process state letter of /proc/<pid>/stat: `T` when stopped by a signal. */
const stateOf = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];

const sourceOf = (m: ReadMessage) =>
  fromBinary(FeedEventSchema, m.value).record?.source?.sourceRecordId ?? '';
const ofRun = (messages: readonly ReadMessage[]) =>
  messages.filter((m) => sourceOf(m).startsWith(`zombie-${run}-`));

describe('a zombie exchange instance (frozen between storing and publishing a batch) is fenced', () => {
  const a = new ExchangeProcess(env('a', '28091', { FAULT_STOP_AFTER_STORE: '1' }));
  const b = new ExchangeProcess(env('b', '28092'));
  let producer: Producer;
  const db = new pg.Client({ connectionString: testDatabaseUrl() });

  beforeAll(async () => {
    await db.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await a.start();
  });

  afterAll(async () => {
    a.signal('SIGCONT');
    await Promise.allSettled([a.stop(), b.stop(), producer?.disconnect(), db.end()]);
  });

  it('publishes every record of the frozen batch exactly once, and neither instance stalls', async () => {
    const debtor = (i: number) => ({
      sourceRecordId: `zombie-${run}-${i}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: testUscc('110105', run, i),
      name: '北京某某建筑有限公司',
    });
    for (let i = 0; i < COUNT; i++) await publishDebtor(producer, debtor(i));

    // A stores its first batch, then stops itself before its Kafka transaction.
    await expectEventually(() => expect(stateOf(a.pid)).toBe('T'), { timeoutMs: 30_000 });
    const stored = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM exchange.records WHERE source_record_id LIKE $1`,
      [`zombie-${run}-%`],
    );
    expect(stored.rows[0]!.n).toBeGreaterThan(0);

    // B joins once A's session has timed out, and publishes what A stored (and the rest).
    await b.start();
    const everyRecord = async (feed: string, count: number) =>
      readFeed(kafka, feed, {
        until: (m) => new Set(ofRun(m).map(sourceOf)).size >= count,
        timeoutMs: 60_000,
      });
    expect(new Set(ofRun(await everyRecord('beijing-platform', COUNT)).map(sourceOf)).size).toBe(COUNT);
    expect(b.output.join('')).toMatch(/re-publishing the stored outputs/);

    // A is thawed in the middle of its batch; its stale transaction must not commit.
    a.signal('SIGCONT');
    await expectEventually(
      async () => {
        expect(stateOf(a.pid)).not.toBe('T');
        expect((await fetch(`${a.url}/health/ready`)).status).toBe(200);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // Neither stalls: a record published after the thaw reaches its feed, and A is back in the group
    // (it was not made to exit).
    await publishDebtor(producer, debtor(COUNT));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expectEventually(
        async () => {
          const { groups } = await admin.describeGroups([`zombie-it-${run}`]);
          expect({ state: groups[0]?.state, members: groups[0]?.members.length }).toEqual({
            state: 'Stable',
            members: 2,
          });
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
    } finally {
      await admin.disconnect();
    }

    for (const feed of FEEDS) {
      const messages = ofRun(await everyRecord(feed, COUNT + 1));
      const perRecord = new Map<string, number>();
      for (const m of messages) perRecord.set(sourceOf(m), (perRecord.get(sourceOf(m)) ?? 0) + 1);
      expect({ feed, records: perRecord.size }).toEqual({ feed, records: COUNT + 1 });
      expect({ feed, twice: [...perRecord].filter(([, n]) => n > 1).map(([id]) => id) }).toEqual({
        feed,
        twice: [],
      });
    }
    const deliveries = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM exchange.deliveries d JOIN exchange.records r USING (record_id) WHERE r.source_record_id LIKE $1`,
      [`zombie-${run}-%`],
    );
    expect(deliveries.rows[0]!.n).toBe((COUNT + 1) * FEEDS.length);
  });
});
