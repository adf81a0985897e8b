import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publicKeyText } from '@cie/platform';
import { create, fromBinary, toJsonString } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  CreditEventType,
  FeedEventSchema,
  RecordStatus,
  RepairDecisionSchema,
  Topics,
} from '@cie/contracts';
import {
  expectEventually,
  type ReadMessage,
  readFeed,
  readTopic,
  type RegionalPlatform,
  startRegionalPlatform,
  testDatabaseUrl,
  testKafka,
  testKafkaBrokers,
} from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import {
  ExchangeProcess,
  exchangeEnv,
  sectorServiceProcess,
  type ServiceProcess,
} from './exchange-process.js';
import { daysAgo, publishMajorViolation, publishSectorEvent, testUscc } from './sector-events.js';

/**
 * The record lifecycle and the subject's rights end to end, on the real broker and database: the
 * courts service, two exchange instances in one consumer group (as a scaled Deployment runs), and
 * the reference regional platform holding its copy of what its feed carries.
 */
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`rights-it-${run}`);
const group = `rights-it-${run}`;
const COURT_KEY = 'demo-key-court-bj-chaoyang';
const DESK_KEY = 'demo-key-credit-desk';
const OPERATOR_KEY = 'demo-key-operator';
const PLATFORM_SCHEMA = `platform_rights_${run.replace(/[^a-z0-9]/g, '')}`;

// The platform signs its acks with a fresh key; the exchanges hold its public half.
const platformAckKey = generateKeyPairSync('ed25519');
const ackKeysFile = path.join(mkdtempSync(path.join(tmpdir(), 'rights-it-')), 'feed-ack-keys.json');
writeFileSync(
  ackKeysFile,
  JSON.stringify({ keys: [{ id: 'beijing-platform', publicKey: publicKeyText(platformAckKey.publicKey) }] }),
);

const exchangeOf = (instance: string, port: number) =>
  new ExchangeProcess(
    exchangeEnv({
      KAFKA_CONSUMER_GROUP: group,
      EXCHANGE_INSTANCE_ID: `${group}-${instance}`,
      EXPIRY_SCAN_INTERVAL_MS: '500',
      FEED_ACK_KEYS_FILE: ackKeysFile,
      PORT: String(port),
    }),
  );

const debtor = (serial: number, over: Record<string, unknown> = {}) => ({
  recordType: 'courts.dishonest_debtor',
  sourceRecordId: `rights-${run}-${serial}`,
  decisionNumber: `(2026)京0105执${serial}号`,
  decidingAuthority: '北京市朝阳区人民法院',
  decisionDate: daysAgo(30),
  subject: { kind: 'legal_entity', idNumber: testUscc('110105', run, serial), name: '北京某某建材有限公司' },
  obligation: '支付货款人民币320000元及迟延履行期间的债务利息',
  performanceStatus: 'not_performed',
  outstandingAmount: '320000.00',
  enforcementBasis: '(2025)京0105民初778号民事判决书',
  ...over,
});

interface PlatformCopy {
  version?: number;
  dispute?: { disputed: boolean; disputeId: string | null; lastOutcome: string | null };
  attributes?: Record<string, string>;
  removal?: { eventType: string; reason: string };
}
interface Outstanding {
  outstanding: { eventId: string; recordId: string }[];
}
interface Query {
  records: { recordId: string }[];
}

const feedEvents = (messages: readonly ReadMessage[], recordId: string) =>
  messages
    .map((m) => ({
      type: m.headers['ce_type'],
      id: m.headers['ce_id'],
      traceparent: m.headers['traceparent'],
      event: fromBinary(FeedEventSchema, m.value),
    }))
    .filter((e) => e.event.record?.recordId === recordId);

describe('disputes, corrections, withdrawals, expiry and repair reach every past receiver, once', () => {
  let a: ExchangeProcess;
  let b: ExchangeProcess;
  let courts: ServiceProcess;
  let platform: RegionalPlatform;
  let producer: Producer;
  let db: pg.Client;
  const timings: Record<string, number> = {};

  const call = async <T = Record<string, unknown>>(
    url: string,
    key: string,
    init: { method?: string; body?: unknown; traceparent?: string } = {},
  ) => {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.traceparent ? { traceparent: init.traceparent } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  /** The platform's copy of a record: 200 with it, or 404 with the tombstone's reason. */
  const platformCopy = (recordId: string) =>
    call<PlatformCopy>(`${platform.url}/v1/records/${recordId}`, platform.readerKey);
  /** Publishes a courts record through the courts service and waits for the exchange's record id. */
  const publishThroughCourts = async (body: ReturnType<typeof debtor>) => {
    expect((await call(`${courts.url}/v1/records`, COURT_KEY, { body })).status).toBe(202);
    let recordId = '';
    await expectEventually(async () => {
      const history = await call<{ events: { exchangeOutcome?: { recordId?: string } }[] }>(
        `${courts.url}/v1/records/${body.sourceRecordId}`,
        COURT_KEY,
      );
      recordId = history.body.events[0]?.exchangeOutcome?.recordId ?? '';
      expect(recordId).toMatch(/^[0-9a-f-]{36}$/);
    });
    return recordId;
  };
  const feed = (subscriber: string, recordId: string, until: (e: ReturnType<typeof feedEvents>) => boolean) =>
    readFeed(kafka, subscriber, {
      until: (m) => until(feedEvents(m, recordId)),
      timeoutMs: 30_000,
    }).then((m) => feedEvents(m, recordId));

  beforeAll(async () => {
    a = exchangeOf('a', 28090);
    b = exchangeOf('b', 28091);
    await a.start();
    await b.start();
    courts = sectorServiceProcess('courts', {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      PORT: '28093',
    });
    await courts.start();
    platform = await startRegionalPlatform({
      subscriberId: 'beijing-platform',
      port: 28094,
      schema: PLATFORM_SCHEMA,
      consumerGroup: `regional-platform.rights-${run}`,
      ackSigningKey: platformAckKey.privateKey,
    });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    console.log(`propagation times (API call → regional platform's copy), ms: ${JSON.stringify(timings)}`);
    await producer?.disconnect();
    await db?.end();
    await platform?.stop();
    await courts?.stop();
    await a?.stop();
    await b?.stop();
  });

  it('refuses a correction that changes who a record is about, with a coded reason the court reads back; beijing-platform never sees the person', async () => {
    // A Beijing company's record, held by beijing-platform (regions 11, identities in clear)...
    const body = debtor(9);
    const recordId = await publishThroughCourts(body);
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(200));
    // ...then "corrected" to be about a person in Shanghai: that is another record, not a version.
    const PERSON = '310115198001010016';
    const correction = await call(`${courts.url}/v1/records/${body.sourceRecordId}/corrections`, COURT_KEY, {
      body: { ...body, subject: { kind: 'natural_person', idNumber: PERSON, name: '张三' } },
    });
    expect(correction.status).toBe(202);
    await expectEventually(async () => {
      const history = await call<{ events: { exchangeOutcome?: { status?: string; reason?: string } }[] }>(
        `${courts.url}/v1/records/${body.sourceRecordId}`,
        COURT_KEY,
      );
      expect(history.body.events.at(-1)?.exchangeOutcome).toMatchObject({
        status: 'dead_lettered',
        reason: expect.stringMatching(/^subject_identity_changed: /),
      });
    });
    // A later correction on the same partition still flows, so nothing stalled.
    expect(
      (
        await call(`${courts.url}/v1/records/${body.sourceRecordId}/corrections`, COURT_KEY, {
          body: { ...body, outstandingAmount: '1.00' },
        })
      ).status,
    ).toBe(202);
    await expectEventually(async () => expect((await platformCopy(recordId)).body.version).toBe(2), {
      timeoutMs: 15_000,
    });
    // A byte scan: neither the feed nor the platform's tables ever held the person's number or region.
    const beijing = await readFeed(kafka, 'beijing-platform', {
      until: () => false,
      timeoutMs: 2000,
    });
    expect(beijing.length).toBeGreaterThan(0);
    expect(beijing.filter((m) => Buffer.from(m.value).includes(PERSON))).toEqual([]);
    const { rows: tables } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [PLATFORM_SCHEMA],
    );
    expect(tables.length).toBeGreaterThan(0);
    for (const { table_name } of tables) {
      const { rows } = await db.query<{ row: string }>(
        `SELECT t::text AS row FROM "${PLATFORM_SCHEMA}"."${table_name}" t`,
      );
      expect(rows.filter((r) => r.row.includes(PERSON) || r.row.includes('310115'))).toEqual([]);
    }
  });

  it('flags a disputed record at every past receiver within a second, lets the court resolve it as corrected, and clears the flag', async () => {
    const body = debtor(1);
    const recordId = await publishThroughCourts(body);
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(200));

    const filedAt = Date.now();
    const traceId = randomUUID().replaceAll('-', '');
    const filed = await call<{ disputeId: string; dueBy: string }>(`${a.url}/v1/disputes`, DESK_KEY, {
      body: { recordId, grounds: '该笔货款已于2026年10月全部清偿，有银行回单为证', filedBy: 'subject' },
      traceparent: `00-${traceId}-${'1'.repeat(16)}-01`,
    });
    expect(filed.status).toBe(202);
    const disputeId = filed.body.disputeId;
    expect(filed.body.dueBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expectEventually(
      async () =>
        expect((await platformCopy(recordId)).body['dispute']).toMatchObject({ disputed: true, disputeId }),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    timings['dispute'] = Date.now() - filedAt;
    expect(timings['dispute']).toBeLessThan(10_000);

    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(
      /^cie_disputes_open\{sector="courts"\} [1-9]/m,
    );
    // A second dispute waits for the first; a record id that is not one is named.
    expect(
      (await call(`${b.url}/v1/disputes`, DESK_KEY, { body: { recordId, grounds: 'x', filedBy: 'subject' } }))
        .status,
    ).toBe(409);
    const bad = await call<{ errors: { field: string }[] }>(`${b.url}/v1/disputes`, DESK_KEY, {
      body: { recordId: 'nope', grounds: 'x', filedBy: 'subject' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]?.field).toBe('recordId');
    expect(
      (
        await call(`${a.url}/v1/disputes`, 'demo-key-beijing-platform', {
          body: { recordId, grounds: 'x', filedBy: 'x' },
        })
      ).status,
    ).toBe(403);

    // The court sees it in its inbox with its deadline, corrects the record, then resolves the dispute.
    await expectEventually(async () => {
      const inbox = await call<{ items: { id: string }[] }>(`${courts.url}/v1/disputes`, COURT_KEY);
      expect(inbox.body.items.find((i) => i.id === disputeId)).toMatchObject({
        recordId,
        status: 'open',
        overdue: false,
        dueBy: filed.body.dueBy,
      });
    });
    expect(
      (
        await call(`${courts.url}/v1/records/${body.sourceRecordId}/corrections`, COURT_KEY, {
          body: { ...body, outstandingAmount: '20000.00', performanceStatus: 'partially_performed' },
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await call(`${courts.url}/v1/disputes/${disputeId}/resolution`, COURT_KEY, {
          body: { outcome: 'corrected', note: '已核实并更正' },
        })
      ).status,
    ).toBe(202);
    await expectEventually(async () => {
      const dispute = await call(`${b.url}/v1/disputes/${disputeId}`, OPERATOR_KEY);
      expect(dispute.body).toMatchObject({ status: 'resolved', outcome: 'corrected', overdue: false });
    });

    for (const subscriber of ['beijing-platform', 'public-portal', 'procurement-regulator']) {
      const events = await feed(subscriber, recordId, (e) =>
        e.some((x) => x.type === CreditEventType.disputeResolved),
      );
      // Once each, whichever of the two exchange instances took the dispute.
      expect(events.map((e) => [e.type, e.event.record?.version])).toEqual([
        [CreditEventType.published, 1],
        [CreditEventType.disputed, 1],
        [CreditEventType.corrected, 2],
        [CreditEventType.disputeResolved, 2],
      ]);
      expect(events[1]?.event.dispute).toMatchObject({ disputeId, status: 'open' });
      // The subject desk's request, the command and the feed message are one trace.
      expect(events[1]?.traceparent).toContain(`00-${traceId}-`);
      expect(events[1]?.event.record?.status).toBe(RecordStatus.DISPUTED);
      expect(events[3]?.event.dispute).toMatchObject({ disputeId, status: 'resolved', outcome: 'corrected' });
      // The grounds and who filed stay with the exchange and the court.
      expect(events.map((e) => toJsonString(FeedEventSchema, e.event)).join('\n')).not.toContain('银行回单');
    }
    const copy = await platformCopy(recordId);
    expect(copy.body).toMatchObject({ version: 2, dispute: { disputed: false, lastOutcome: 'corrected' } });
    expect(copy.body.attributes?.['outstandingAmount']).toBe('20000.00');

    // A second dispute on the same version, upheld this time: flagged and cleared again.
    const second = await call<{ disputeId: string }>(`${b.url}/v1/disputes`, DESK_KEY, {
      body: { recordId, grounds: '金额仍有误', filedBy: 'subject' },
    });
    expect(second.status).toBe(202);
    await expectEventually(async () => {
      const inbox = await call<{ items: { id: string }[] }>(`${courts.url}/v1/disputes`, COURT_KEY);
      expect(inbox.body.items.map((i) => i.id)).toContain(second.body.disputeId);
    });
    expect(
      (
        await call(`${courts.url}/v1/disputes/${second.body.disputeId}/resolution`, COURT_KEY, {
          body: { outcome: 'upheld' },
        })
      ).status,
    ).toBe(202);
    await expectEventually(async () =>
      expect((await platformCopy(recordId)).body.dispute).toMatchObject({
        disputed: false,
        lastOutcome: 'upheld',
      }),
    );
    const again = await feed('public-portal', recordId, (e) => e.length >= 6);
    expect(again.slice(4).map((e) => [e.type, e.event.record?.version])).toEqual([
      [CreditEventType.disputed, 2],
      [CreditEventType.disputeResolved, 2],
    ]);
  });

  it('removes a withdrawn record from the platform within seconds and records its deletion acknowledgement', async () => {
    const body = debtor(2);
    const recordId = await publishThroughCourts(body);
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(200));

    const withdrawnAt = Date.now();
    expect(
      (
        await call(`${courts.url}/v1/records/${body.sourceRecordId}/withdrawal`, COURT_KEY, {
          body: { reason: 'obligation_fulfilled', withdrawnOn: daysAgo(0) },
        })
      ).status,
    ).toBe(202);
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(404), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    timings['withdrawal'] = Date.now() - withdrawnAt;

    const [withdrawn] = (
      await feed('beijing-platform', recordId, (e) => e.some((x) => x.type === CreditEventType.withdrawn))
    ).filter((e) => e.type === CreditEventType.withdrawn);
    await expectEventually(async () => {
      const outstanding = await call<Outstanding>(`${a.url}/v1/deletion-acks/beijing-platform`, OPERATOR_KEY);
      expect(outstanding.body.outstanding.map((o) => o.eventId)).not.toContain(withdrawn?.id);
      // Subscribers with no platform running have not acknowledged theirs.
      const others = await call<Outstanding>(`${a.url}/v1/deletion-acks/public-portal`, OPERATOR_KEY);
      expect(others.body.outstanding.map((o) => o.recordId)).toContain(recordId);
    });
    const { rows } = await db.query<{ subscriber_id: string }>(
      `SELECT a.subscriber_id FROM exchange.feed_acks a JOIN exchange.deliveries d USING (delivery_id) WHERE d.record_id = $1`,
      [recordId],
    );
    expect(rows.map((r) => r.subscriber_id)).toEqual(['beijing-platform']);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    const outstandingGauge = /^cie_deletion_acks_outstanding\{subscriber="public-portal"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(outstandingGauge?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^cie_deletion_ack_oldest_age_seconds\{subscriber="public-portal"\} \d+/m);
    const summary = await call<{ subscribers: { subscriber: string }[] }>(
      `${a.url}/v1/deletion-acks`,
      OPERATOR_KEY,
    );
    expect(summary.body.subscribers.find((s) => s.subscriber === 'public-portal')).toMatchObject({
      outstanding: expect.any(Number),
      oldestAgeSeconds: expect.any(Number),
    });
  });

  it('expires a record whose disclosure period ended while the exchange was down: caught up at start, once, with both instances running', async () => {
    const body = debtor(3);
    const recordId = await publishThroughCourts(body);
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(200));

    await Promise.all([a.stop(), b.stop()]);
    // Time passes while the exchange is down: the record's disclosure period ends (yesterday).
    await db.query(
      `UPDATE exchange.record_versions SET body = jsonb_set(body, '{disclosure,disclosureUntil}', to_jsonb($2::text)) WHERE record_id = $1`,
      [recordId, daysAgo(1)],
    );
    const restartedAt = Date.now();
    await Promise.all([a.start(), b.start()]);
    timings['exchange restart (two instances)'] = Date.now() - restartedAt;

    await expectEventually(
      async () => {
        const copy = await platformCopy(recordId);
        expect(copy.status).toBe(404);
        expect(copy.body.removal).toMatchObject({
          eventType: CreditEventType.expired,
          reason: 'disclosure_period_ended',
        });
      },
      { timeoutMs: 30_000 },
    );
    for (const subscriber of ['beijing-platform', 'public-portal', 'procurement-regulator']) {
      const events = await feed(subscriber, recordId, (e) =>
        e.some((x) => x.type === CreditEventType.expired),
      );
      expect(events.filter((e) => e.type === CreditEventType.expired)).toHaveLength(1);
      expect(events.at(-1)?.event.reason).toBe('disclosure_period_ended');
    }
    // Both schedulers keep scanning; nothing more is emitted for it.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const again = feedEvents(
      await readFeed(kafka, 'public-portal', { until: () => false, timeoutMs: 3000 }),
      recordId,
    );
    expect(again.filter((e) => e.type === CreditEventType.expired)).toHaveLength(1);
    const { rows } = await db.query(`SELECT status FROM exchange.records WHERE record_id = $1`, [recordId]);
    expect(rows[0]).toEqual({ status: 'expired' });
    const query = await call<Query>(
      `${a.url}/v1/subjects/${body.subject.idNumber}/records?purpose=test`,
      'demo-key-beijing-platform',
    );
    expect(query.body.records.map((r) => r.recordId)).not.toContain(recordId);
  });

  it('repairs a record after its repairable-from date once the owning agency approves: repaired to every receiver, gone from queries', async () => {
    const uscc = testUscc('110105', run, 4);
    const sourceRecordId = `rights-${run}-repair`;
    await publishMajorViolation(producer, { sourceRecordId, uscc, name: '北京某某贸易有限公司' });
    let recordId = '';
    await expectEventually(async () => {
      const { rows } = await db.query<{ record_id: string }>(
        `SELECT record_id FROM exchange.records WHERE agency_id = 'tax-bj-jicha1' AND source_record_id = $1`,
        [sourceRecordId],
      );
      recordId = rows[0]?.record_id ?? '';
      expect(recordId).not.toBe('');
    });
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(200));
    // Tax violations become repairable six months after the decision; this one is 60 days old.
    const early = await call<{ detail: string }>(`${b.url}/v1/repairs`, DESK_KEY, {
      body: { recordId, grounds: '已补缴税款', filedBy: 'subject' },
    });
    expect(early.status).toBe(422);
    expect(early.body.detail).toMatch(/can be repaired from \d{4}-\d{2}-\d{2}/);
    await db.query(
      `UPDATE exchange.record_versions SET body = jsonb_set(body, '{disclosure,repairableFrom}', to_jsonb($2::text)) WHERE record_id = $1`,
      [recordId, daysAgo(1)],
    );
    const filed = await call<{ requestId: string }>(`${b.url}/v1/repairs`, DESK_KEY, {
      body: { recordId, grounds: '已补缴税款及滞纳金', filedBy: 'subject' },
    });
    expect(filed.status).toBe(202);
    const requestId = filed.body.requestId;
    const requests = await readTopic(kafka, Topics.requests('tax'), {
      until: (m) =>
        m.some(
          (x) => x.headers['ce_type'] === AgencyRequestType.repairRequested && x.value.includes(requestId),
        ),
    });
    expect(requests.filter((x) => x.value.includes(requestId))).toHaveLength(1);

    // The tax service's answer, as its POST /v1/repairs/{id}/decision publishes it (tested in the sector contract).
    const approvedAt = Date.now();
    await publishSectorEvent(
      producer,
      'tax',
      RepairDecisionSchema,
      create(RepairDecisionSchema, {
        requestId,
        source: { sector: 'tax', agencyId: 'tax-bj-jicha1', sourceRecordId },
        approved: true,
        note: '同意信用修复',
        decidedAt: timestampFromDate(new Date()),
      }),
      { idNumber: uscc, agencyId: 'tax-bj-jicha1' },
      randomUUID(),
      AgencyRequestType.repairDecided,
    );
    await expectEventually(async () => expect((await platformCopy(recordId)).status).toBe(404), {
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    timings['repair'] = Date.now() - approvedAt;
    const events = await feed('beijing-platform', recordId, (e) =>
      e.some((x) => x.type === CreditEventType.repaired),
    );
    expect(events.map((e) => e.type)).toEqual([CreditEventType.published, CreditEventType.repaired]);
    expect(events[1]?.event.reason).toBe('repair_approved');
    expect((await call(`${a.url}/v1/repairs/${requestId}`, DESK_KEY)).body).toMatchObject({
      status: 'approved',
    });
    const query = await call<Query>(
      `${a.url}/v1/subjects/${uscc}/records?purpose=test`,
      'demo-key-beijing-platform',
    );
    expect(query.body.records.map((r) => r.recordId)).not.toContain(recordId);
  });
});
