import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { CreditEventType, FEED_RESYNC_HEADER, FeedEventSchema, SubjectKind } from '@cie/contracts';
import { type ReadMessage, readFeed, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { publishDebtor, publishWithdrawal, testUscc } from './sector-events.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`resync-it-${run}`);
const SUBSCRIBER = 'beijing-platform';
const debtor = (n: number) => ({
  sourceRecordId: `resync-${run}-${n}`,
  kind: SubjectKind.LEGAL_ENTITY,
  idNumber: testUscc('110105', run, 700 + n),
  name: `北京某某商贸有限公司${n}`,
});
const held = [debtor(1), debtor(2)];
const withdrawn = debtor(3);
const ours = new Set([...held, withdrawn].map((d) => d.sourceRecordId));

const sourceIdOf = (m: ReadMessage) => fromBinary(FeedEventSchema, m.value).record?.source?.sourceRecordId;
const mine = (messages: readonly ReadMessage[]) => messages.filter((m) => ours.has(sourceIdOf(m) ?? ''));

describe('POST /v1/subscribers/{id}/resync', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const post = (subscriber: string, key: string) =>
    fetch(`${exchange.url}/v1/subscribers/${subscriber}/resync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `resync-it-${run}`,
        EXCHANGE_INSTANCE_ID: `resync-it-${run}`,
        PORT: '28105',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });

  afterAll(async () => {
    await exchange.stop();
    await producer.disconnect();
    await db.end();
  });

  it('sends the subscriber again the latest delivery of each record it holds, marked ce_resync, and audits it once', async () => {
    for (const d of [...held, withdrawn]) await publishDebtor(producer, d);
    await publishWithdrawal(producer, withdrawn);
    const before = mine(
      await readFeed(kafka, SUBSCRIBER, {
        // The three may come from different partitions of the sector topic, in any order.
        until: (m) =>
          mine(m).some((x) => x.headers['ce_type'] === CreditEventType.withdrawn) &&
          held.every((d) => mine(m).some((x) => sourceIdOf(x) === d.sourceRecordId)),
        timeoutMs: 30_000,
      }),
    );
    expect(before.map((m) => [sourceIdOf(m), m.headers['ce_type']])).toEqual(
      expect.arrayContaining([
        [held[0]!.sourceRecordId, CreditEventType.published],
        [held[1]!.sourceRecordId, CreditEventType.published],
        [withdrawn.sourceRecordId, CreditEventType.withdrawn],
      ]),
    );
    const holdings = (await (
      await fetch(`${exchange.url}/v1/subscribers/${SUBSCRIBER}/holdings`, {
        headers: { authorization: 'Bearer demo-key-operator' },
      })
    ).json()) as { records: unknown[] };

    const response = await post(SUBSCRIBER, 'demo-key-operator');
    expect(response.status).toBe(202);
    const body = (await response.json()) as { resyncId: string; subscriber: string; records: number };
    expect(body).toMatchObject({ subscriber: SUBSCRIBER, records: holdings.records.length });

    const resent = (
      await readFeed(kafka, SUBSCRIBER, {
        until: (m) => m.filter((x) => x.headers[FEED_RESYNC_HEADER] === body.resyncId).length >= body.records,
        timeoutMs: 30_000,
      })
    ).filter((m) => m.headers[FEED_RESYNC_HEADER] === body.resyncId);
    expect(resent).toHaveLength(body.records);
    // Ours: each held record once, as its original delivery (same ce_id, ce_type, payload, key); the
    // withdrawn one not at all.
    const ourResent = mine(resent);
    expect(ourResent.map(sourceIdOf).sort()).toEqual(held.map((d) => d.sourceRecordId).sort());
    for (const m of ourResent) {
      const original = before.find((b) => b.headers['ce_id'] === m.headers['ce_id']);
      expect(original).toBeDefined();
      expect(m.headers['ce_type']).toBe(CreditEventType.published);
      expect(m.value.equals(original!.value)).toBe(true);
      expect(m.key).toBe(original!.key);
      // Same partition, so it stays in order with the subject's later events.
      expect(m.partition).toBe(original!.partition);
    }

    const { rows } = await db.query<{ actor: string; details: Record<string, unknown> }>(
      `SELECT actor, details FROM exchange.audit_log WHERE kind = 'subscriber_resync' AND details->>'resyncId' = $1`,
      [body.resyncId],
    );
    expect(rows).toEqual([
      {
        actor: 'ops',
        details: expect.objectContaining({ subscriber: SUBSCRIBER, records: body.records }),
      },
    ]);
  });

  it('is for operators only, and names an unknown subscriber', async () => {
    const refused = await post(SUBSCRIBER, 'demo-key-beijing-platform');
    expect(refused.status).toBe(403);
    const unknown = await post(`no-such-${run}`, 'demo-key-operator');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      code: 'SUBSCRIBER_UNKNOWN',
      detail: expect.stringContaining(`no-such-${run}`),
    });
    const { rows } = await db.query(
      `SELECT 1 FROM exchange.audit_log WHERE kind = 'subscriber_resync' AND details->>'subscriber' = $1`,
      [`no-such-${run}`],
    );
    expect(rows).toEqual([]);
  });
});
