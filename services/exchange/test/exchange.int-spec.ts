import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import {
  FeedEventSchema,
  ProcessingOutcomeSchema,
  Polarity,
  SubjectKind,
  TaxCreditLevel,
  Topics,
} from '@cie/contracts';
import {
  expectEventually,
  type ReadMessage,
  readFeed,
  readTopic,
  testDatabaseUrl,
  testKafka,
} from '@cie/testing';
import type { Admin, Producer } from 'kafkajs';
import pg from 'pg';
import { AuditLog } from '../src/audit/audit-log.js';
import { addMonths } from '../src/domain/catalogue.js';
import { createDataSource } from '../src/database/data-source.js';
import { ExchangeProcess, exchangeEnv, REPO_ROOT } from './exchange-process.js';
import {
  publishCreditRating,
  publishDebtor,
  publishMajorViolation,
  publishPlatformViolation,
  RATING_YEAR,
  RECENT_BAN_UNTIL,
  RECENT_DECISION,
  testUscc,
  publishSupplierMisconduct,
} from './sector-events.js';

const OPERATOR_KEY = 'demo-key-operator';
const FEEDS = ['beijing-platform', 'shanghai-platform', 'public-portal', 'procurement-regulator'] as const;
const POLICY = 'subscribers@2026-11-22.2+release@2026-11-23.1';
const run = randomUUID().slice(0, 8);
const kafka = testKafka(`exchange-it-${run}`);
const env = exchangeEnv({
  KAFKA_CONSUMER_GROUP: `exchange-it-${run}`,
  EXCHANGE_INSTANCE_ID: `exchange-it-${run}`,
  PORT: '28080',
});

const uscc = (region: string, serial: number) => testUscc(region, run, serial);

const decode = (m: ReadMessage) => fromBinary(FeedEventSchema, m.value);
const ofSource = (messages: ReadMessage[], sourceRecordId: string) =>
  messages.filter((m) => decode(m).record?.source?.sourceRecordId === sourceRecordId);

async function feedOf(
  subscriber: string,
  until: (messages: ReadMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  return readFeed(kafka, subscriber, { until: (m) => until([...m]), timeoutMs });
}

describe('exchange on the real broker and database', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let admin: Admin;
  let db: pg.Client;

  beforeAll(async () => {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    admin = kafka.admin();
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([producer.connect(), admin.connect(), db.connect()]);
    exchange = new ExchangeProcess(env);
    await exchange.start();
  });

  afterAll(async () => {
    await exchange.stop();
    await Promise.all([producer.disconnect(), admin.disconnect(), db.end()]);
  });

  it('stores, classifies and routes each record only to the subscribers entitled to it', async () => {
    const beijingCo = {
      sourceRecordId: `bj-co-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc('110105', 1),
      name: '北京某某建设有限公司',
    };
    const nanjingCo = {
      sourceRecordId: `nj-co-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc('320100', 2),
      name: '南京某某科技有限公司',
    };
    await publishDebtor(producer, beijingCo);
    await publishDebtor(producer, nanjingCo);

    const portal = await feedOf(
      'public-portal',
      (m) =>
        ofSource(m, beijingCo.sourceRecordId).length > 0 && ofSource(m, nanjingCo.sourceRecordId).length > 0,
    );
    expect(ofSource(portal, beijingCo.sourceRecordId)).toHaveLength(1);
    expect(ofSource(portal, nanjingCo.sourceRecordId)).toHaveLength(1);
    const beijing = await feedOf('beijing-platform', (m) => ofSource(m, beijingCo.sourceRecordId).length > 0);
    expect(ofSource(beijing, beijingCo.sourceRecordId)).toHaveLength(1);
    expect(ofSource(beijing, nanjingCo.sourceRecordId)).toHaveLength(0);
    const shanghai = await feedOf('shanghai-platform', () => false, 3000);
    expect(ofSource(shanghai, beijingCo.sourceRecordId)).toHaveLength(0);

    const [message] = ofSource(beijing, beijingCo.sourceRecordId);
    const event = decode(message!);
    expect(message!.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'credit.record.published',
      ce_source: '/exchange',
      ce_subject: beijingCo.idNumber,
      'content-type': 'application/protobuf',
    });
    expect(message!.key).toBe(beijingCo.idNumber);
    expect(event.record).toMatchObject({
      kind: 'courts.dishonest_debtor',
      version: 1,
      catalogueEdition: '2026.1',
      attributes: { outstandingAmount: '98000.50' },
    });
    expect(event.record?.disclosure).toMatchObject({
      effectiveFrom: RECENT_DECISION,
      disclosureUntil: addMonths(RECENT_DECISION, 24),
    });

    const { rows } = await db.query(
      `SELECT d.subscriber_id, d.rule FROM exchange.deliveries d JOIN exchange.records r USING (record_id) WHERE r.source_record_id = $1 ORDER BY 1`,
      [beijingCo.sourceRecordId],
    );
    expect(rows).toEqual([
      { subscriber_id: 'beijing-platform', rule: `${POLICY}#beijing-platform+courts[0]` },
      { subscriber_id: 'procurement-regulator', rule: `${POLICY}#procurement-regulator+courts[0]` },
      { subscriber_id: 'public-portal', rule: `${POLICY}#public-portal+courts[0]` },
    ]);
  });

  it('releases a natural person’s clear identity number only to a subscriber entitled to it', async () => {
    // 310115: Shanghai Pudong. Beijing does not receive it; Shanghai (pseudonym-only) never sees the number.
    const person = {
      sourceRecordId: `sh-np-${run}`,
      kind: SubjectKind.NATURAL_PERSON,
      idNumber: '310115198001010016',
      name: '李四',
    };
    await publishDebtor(producer, person);
    const sh = await feedOf('shanghai-platform', (m) => ofSource(m, person.sourceRecordId).length > 0);
    const [message] = ofSource(sh, person.sourceRecordId);
    expect(message).toBeDefined();
    const subject = decode(message!).record?.subject;
    // Its own pseudonym for the person (scheme subscriber-v2), not the exchange's canonical one.
    expect(subject?.canonicalId).toMatch(/^S[0-9A-F]{32}$/);
    expect(subject?.idNumber).toBe('');
    const everyByte = Buffer.concat(
      sh.flatMap((m) => [m.value, Buffer.from(m.key ?? ''), Buffer.from(JSON.stringify(m.headers))]),
    ).toString('latin1');
    expect(everyByte).not.toContain('310115198001010016');

    const { rows } = await db.query(
      `SELECT s.id_number_encrypted FROM exchange.subjects s
         JOIN exchange.records r ON r.subject_id = s.canonical_id WHERE r.source_record_id = $1`,
      [person.sourceRecordId],
    );
    expect(rows).toHaveLength(1);
    expect((rows[0] as { id_number_encrypted: Buffer }).id_number_encrypted.toString('latin1')).not.toContain(
      '310115198001010016',
    );

    // A Beijing person goes to Beijing, which is entitled to the clear number.
    const bjPerson = {
      sourceRecordId: `bj-np-${run}`,
      kind: SubjectKind.NATURAL_PERSON,
      idNumber: '110105198506150022',
      name: '王五',
    };
    await publishDebtor(producer, bjPerson);
    const bj = await feedOf('beijing-platform', (m) => ofSource(m, bjPerson.sourceRecordId).length > 0);
    const bjSubject = decode(ofSource(bj, bjPerson.sourceRecordId)[0]!).record?.subject;
    expect(bjSubject?.idNumber).toBe('110105198506150022');
    expect(bjSubject?.canonicalId).toMatch(/^S[0-9A-F]{32}$/);
  });

  it('classifies and routes one record of each other sector to the feeds entitled to it', async () => {
    const org = (id: string, region: string, serial: number, name: string) => ({
      sourceRecordId: `${id}-${run}`,
      uscc: uscc(region, serial),
      name,
    });
    const taxBj = org('tax-bj', '110105', 21, '北京鑫达恒通商贸有限公司');
    const ratingA = org('rating-a-sh', '310115', 22, '上海浦江云帆信息技术有限公司');
    const ratingD = org('rating-d-sh', '310115', 23, '上海某某贸易有限公司');
    const procurementBj = org('proc-bj', '110108', 24, '北京博睿智能科技有限公司');
    const ecommerceSh = org('ecom-sh', '310104', 25, '上海优品汇电子商务有限公司');
    await publishMajorViolation(producer, taxBj);
    await publishCreditRating(producer, ratingA, TaxCreditLevel.A);
    await publishCreditRating(producer, ratingD, TaxCreditLevel.D);
    await publishSupplierMisconduct(producer, procurementBj);
    await publishPlatformViolation(producer, ecommerceSh);

    const has = (m: ReadMessage[], ...fixtures: { sourceRecordId: string }[]) =>
      fixtures.every((f) => ofSource(m, f.sourceRecordId).length > 0);
    const portal = await feedOf('public-portal', (m) => has(m, taxBj, ratingA, procurementBj, ecommerceSh));
    await feedOf('procurement-regulator', (m) => has(m, taxBj, ratingD));
    await feedOf('shanghai-platform', (m) => has(m, ratingA, ratingD, ecommerceSh));
    await feedOf('beijing-platform', (m) => has(m, taxBj, procurementBj));

    const { rows } = await db.query<{ source_record_id: string; kind: string; subscribers: string[] }>(
      `SELECT r.source_record_id, r.kind, array_agg(d.subscriber_id ORDER BY d.subscriber_id) AS subscribers
         FROM exchange.records r JOIN exchange.deliveries d USING (record_id)
        WHERE r.source_record_id = ANY($1) GROUP BY 1, 2 ORDER BY 1`,
      [[taxBj, ratingA, ratingD, procurementBj, ecommerceSh].map((f) => f.sourceRecordId)],
    );
    expect(rows).toEqual(
      [
        {
          source_record_id: ecommerceSh.sourceRecordId,
          kind: 'ecommerce.platform_violation',
          subscribers: ['public-portal', 'shanghai-platform'],
        },
        {
          source_record_id: procurementBj.sourceRecordId,
          kind: 'procurement.supplier_misconduct',
          subscribers: ['beijing-platform', 'public-portal'],
        },
        {
          source_record_id: ratingA.sourceRecordId,
          kind: 'tax.credit_rating',
          subscribers: ['public-portal', 'shanghai-platform'],
        },
        {
          // D is negative but not public: the regulator and Shanghai, not the portal.
          source_record_id: ratingD.sourceRecordId,
          kind: 'tax.credit_rating',
          subscribers: ['procurement-regulator', 'shanghai-platform'],
        },
        {
          source_record_id: taxBj.sourceRecordId,
          kind: 'tax.major_violation',
          subscribers: ['beijing-platform', 'procurement-regulator', 'public-portal'],
        },
      ].sort((a, b) => a.source_record_id.localeCompare(b.source_record_id)),
    );

    const rating = decode(ofSource(portal, ratingA.sourceRecordId)[0]!).record;
    expect(rating).toMatchObject({
      kind: 'tax.credit_rating',
      polarity: Polarity.POSITIVE,
      attributes: { rating: 'a', evaluationYear: RATING_YEAR },
      disclosure: { disclosureUntil: `${Number(RATING_YEAR) + 1}-12-31` },
    });
    const ban = decode(ofSource(portal, procurementBj.sourceRecordId)[0]!).record;
    expect(ban?.disclosure).toMatchObject({
      effectiveFrom: RECENT_DECISION,
      disclosureUntil: RECENT_BAN_UNTIL,
    });
    expect(ban?.attributes).toMatchObject({ fineAmount: '18600.00', banUntil: RECENT_BAN_UNTIL });
  });

  it('tells the sector service what became of each event, and audits every routing decision in a verifiable chain', async () => {
    const company = {
      sourceRecordId: `outcome-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc('110105', 5),
      name: '北京某某咨询有限公司',
    };
    const badId = {
      sourceRecordId: `outcome-bad-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91320100748204660A',
      name: '校验码错误',
    };
    const stored = await publishDebtor(producer, company);
    const refused = await publishDebtor(producer, badId);

    const outcomes = (
      await readTopic(kafka, Topics.outcomes('courts'), {
        until: (m) =>
          [stored, refused].every((id) =>
            m.some((x) => fromBinary(ProcessingOutcomeSchema, x.value).eventId === id),
          ),
      })
    ).map((m) => fromBinary(ProcessingOutcomeSchema, m.value));
    const record = (
      await db.query(`SELECT record_id FROM exchange.records WHERE source_record_id = $1`, [
        company.sourceRecordId,
      ])
    ).rows[0] as { record_id: string };
    expect(outcomes.find((o) => o.eventId === stored)).toMatchObject({
      status: 'stored',
      recordId: record.record_id,
      version: 1,
    });
    expect(outcomes.find((o) => o.eventId === refused)).toMatchObject({
      status: 'dead_lettered',
      reason: expect.stringContaining('check character is A'),
    });

    const { rows } = await db.query(
      `SELECT kind, details->>'subscriberId' AS subscriber, details->>'allowed' AS allowed FROM exchange.audit_entries WHERE record_id = $1 ORDER BY seq, part`,
      [record.record_id],
    );
    const decisions = (rows as { kind: string; subscriber: string; allowed: string }[]).filter(
      (r) => r.kind === 'routing_decision',
    );
    expect(decisions.map((d) => [d.subscriber, d.allowed])).toEqual(
      expect.arrayContaining([
        ['beijing-platform', 'true'],
        ['shanghai-platform', 'false'],
        ['public-portal', 'true'],
      ]),
    );
    expect((rows as { kind: string }[]).filter((r) => r.kind === 'delivery').length).toBeGreaterThanOrEqual(
      2,
    );
    // Its decisions and deliveries are one chain row, not one row each.
    const chained = await db.query(`SELECT kind FROM exchange.audit_log WHERE record_id = $1 ORDER BY seq`, [
      record.record_id,
    ]);
    expect(chained.rows[0]).toEqual({ kind: 'record_activity' });
    expect(chained.rows).not.toContainEqual({ kind: 'routing_decision' });
    expect(chained.rows).not.toContainEqual({ kind: 'delivery' });
    const dataSource = createDataSource(testDatabaseUrl(), {
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 15_000,
    });
    await dataSource.initialize();
    try {
      expect(await new AuditLog().verify(dataSource)).toMatchObject({ ok: true });
    } finally {
      await dataSource.destroy();
    }
  });

  it('dead-letters a poison message with its reason and keeps the partition moving', async () => {
    const key = uscc('110105', 9);
    await producer.send({
      topic: Topics.sectorEvents('courts'),
      acks: -1,
      messages: [{ key, value: Buffer.from('not protobuf at all'), headers: { ce_id: `poison-${run}` } }],
    });
    const after = {
      sourceRecordId: `after-poison-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: key,
      name: '北京某某贸易有限公司',
    };
    // A valid envelope around a name PostgreSQL could not store (NUL): refused by name, not a stalled batch.
    const nulId = await publishDebtor(producer, {
      sourceRecordId: `nul-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: key,
      name: '北京某某\u0000贸易有限公司',
    });
    await publishDebtor(producer, after);

    const beijing = await feedOf('beijing-platform', (m) => ofSource(m, after.sourceRecordId).length > 0);
    expect(ofSource(beijing, after.sourceRecordId)).toHaveLength(1);
    const dlq = await readTopic(kafka, Topics.deadLetters(Topics.sectorEvents('courts')), {
      until: (m) => m.some((x) => x.headers['ce_id'] === `poison-${run}`),
    });
    const dead = dlq.find((m) => m.headers['ce_id'] === `poison-${run}`);
    expect(dead?.headers['dlq_reason']).toBe('invalid envelope: header ce_specversion is missing');
    expect(dead?.value.toString()).toBe('not protobuf at all');
    const nul = await readTopic(kafka, Topics.deadLetters(Topics.sectorEvents('courts')), {
      until: (m) => m.some((x) => x.headers['ce_id'] === nulId),
    });
    expect(nul.find((m) => m.headers['ce_id'] === nulId)?.headers['dlq_reason']).toBe(
      'subject.name contains a control character (U+0000-U+001F other than tab and newline)',
    );
    const { rows } = await db.query(
      `SELECT reason FROM exchange.dead_letters WHERE event_id IS NULL AND payload = $1`,
      [Buffer.from('not protobuf at all')],
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
  });

  it('explains why a record went, or did not go, to a subscriber, and lists its deliveries', async () => {
    const company = {
      sourceRecordId: `explain-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc('110105', 31),
      name: '北京某某广告有限公司',
    };
    await publishDebtor(producer, company);
    await feedOf('beijing-platform', (m) => ofSource(m, company.sourceRecordId).length > 0);
    const recordId = (
      (
        await db.query(`SELECT record_id FROM exchange.records WHERE source_record_id = $1`, [
          company.sourceRecordId,
        ])
      ).rows[0] as { record_id: string }
    ).record_id;
    const get = (path: string, key = OPERATOR_KEY) =>
      fetch(`${exchange.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

    const shanghai = (await (
      await get(`/v1/routing/explain?recordId=${recordId}&subscriber=shanghai-platform`)
    ).json()) as Record<string, unknown>;
    expect(shanghai).toMatchObject({
      recordId,
      version: 1,
      subscriber: 'shanghai-platform',
      decision: { allowed: false },
      deliveries: [],
    });
    expect((shanghai['decision'] as { reasons: string[] }).reasons).toContain('region 110105 not entitled');
    const beijing = (await (
      await get(
        `/v1/routing/explain?recordId=${recordId}&subscriber=beijing-platform`,
        'demo-key-beijing-platform',
      )
    ).json()) as Record<string, unknown>;
    expect(beijing).toMatchObject({
      decision: { allowed: true, rule: expect.stringContaining('#beijing-platform') },
      deliveries: [{ subscriber: 'beijing-platform', version: 1, eventType: 'credit.record.published' }],
    });

    const all = (await (await get(`/v1/records/${recordId}/deliveries`)).json()) as {
      deliveries: { subscriber: string }[];
    };
    expect(all.deliveries.map((d) => d.subscriber).sort()).toEqual([
      'beijing-platform',
      'procurement-regulator',
      'public-portal',
    ]);

    expect((await fetch(`${exchange.url}/v1/records/${recordId}/deliveries`)).status).toBe(401);
    expect((await get(`/v1/records/${recordId}/deliveries`, 'demo-key-beijing-platform')).status).toBe(403);
    expect(
      (
        await get(
          `/v1/routing/explain?recordId=${recordId}&subscriber=beijing-platform`,
          'demo-key-shanghai-platform',
        )
      ).status,
    ).toBe(403);
    expect(
      (await get(`/v1/routing/explain?recordId=${randomUUID()}&subscriber=beijing-platform`)).status,
    ).toBe(404);

    // Every call that reached the record is in the audit log, the refused one of scope too.
    const audited = await db.query(
      `SELECT kind, actor, details FROM exchange.audit_log WHERE record_id = $1 AND kind IN ('routing_explain', 'deliveries_view') ORDER BY seq`,
      [recordId],
    );
    expect(audited.rows).toEqual([
      expect.objectContaining({
        kind: 'routing_explain',
        actor: 'ops',
        details: expect.objectContaining({ subscriber: 'shanghai-platform', allowed: false }),
      }),
      expect.objectContaining({
        kind: 'routing_explain',
        actor: 'beijing-platform',
        details: expect.objectContaining({ subscriber: 'beijing-platform', allowed: true }),
      }),
      expect.objectContaining({ kind: 'deliveries_view', actor: 'ops', details: { returned: 3 } }),
      expect.objectContaining({
        kind: 'routing_explain',
        actor: 'shanghai-platform',
        details: { subscriber: 'beijing-platform', refused: 'forbidden' },
      }),
    ]);
  });

  it('lists dead letters with their reason and replays one once the cause is fixed', async () => {
    // The exchange runs with a catalogue that lacks e-commerce violations: such records are dead-lettered.
    const full = JSON.parse(
      fs.readFileSync(`${REPO_ROOT}services/exchange/catalogue/catalogue.json`, 'utf8'),
    ) as { entries: { kind: string }[] };
    const partial = path.join(os.tmpdir(), `catalogue-${run}.json`);
    fs.writeFileSync(
      partial,
      JSON.stringify({
        ...full,
        entries: full.entries.filter((e) => e.kind !== 'ecommerce.platform_violation'),
      }),
    );
    // The list types follow the catalogue they are checked against: the e-commerce lists go too.
    const lists = JSON.parse(
      fs.readFileSync(`${REPO_ROOT}services/exchange/catalogue/lists.json`, 'utf8'),
    ) as { listTypes: { sector: string }[] };
    const partialLists = path.join(os.tmpdir(), `lists-${run}.json`);
    fs.writeFileSync(
      partialLists,
      JSON.stringify({ ...lists, listTypes: lists.listTypes.filter((t) => t.sector !== 'ecommerce') }),
    );
    await exchange.stop();
    exchange = new ExchangeProcess({ ...env, CATALOGUE_FILE: partial, LISTS_FILE: partialLists });
    await exchange.start();
    const shop = {
      sourceRecordId: `dlq-shop-${run}`,
      uscc: uscc('310104', 32),
      name: '上海某某网络科技有限公司',
    };
    const eventId = await publishPlatformViolation(producer, shop);
    const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
    const listed = await expectEventually(async () => {
      const { deadLetters } = (await (
        await fetch(`${exchange.url}/v1/dead-letters?topic=credit.ecommerce.events.v1`, { headers: operator })
      ).json()) as { deadLetters: { id: string; eventId: string; reason: string }[] };
      const mine = deadLetters.find((d) => d.eventId === eventId);
      expect(mine?.reason).toContain('ecommerce.platform_violation');
      return mine!;
    });
    expect(
      (
        await fetch(`${exchange.url}/v1/dead-letters`, {
          headers: { authorization: 'Bearer demo-key-beijing-platform' },
        })
      ).status,
    ).toBe(403);

    // The fix: the full catalogue again. Then the operator replays the dead letter.
    await exchange.stop();
    exchange = new ExchangeProcess(env);
    await exchange.start();
    const replay = await fetch(`${exchange.url}/v1/dead-letters/${listed.id}/replay`, {
      method: 'POST',
      headers: operator,
    });
    expect(replay.status).toBe(202);
    expect((await replay.json()) as Record<string, unknown>).toMatchObject({
      id: listed.id,
      eventId,
      replayedTo: { topic: 'credit.ecommerce.events.v1' },
    });
    const portal = await feedOf('public-portal', (m) => ofSource(m, shop.sourceRecordId).length > 0);
    expect(ofSource(portal, shop.sourceRecordId)).toHaveLength(1);
    expect(
      (
        await fetch(`${exchange.url}/v1/dead-letters/${randomUUID()}/replay`, {
          method: 'POST',
          headers: operator,
        })
      ).status,
    ).toBe(404);
  });

  it('delivers exactly once when killed with SIGKILL after consuming a record and before storing it', async () => {
    const victim = {
      sourceRecordId: `kill-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: uscc('110105', 3),
      name: '北京某某物流有限公司',
    };
    const blocker = new pg.Client({ connectionString: testDatabaseUrl() });
    await blocker.connect();
    try {
      // Hold the records table so the exchange consumes the event and then waits, uncommitted, on its insert.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE exchange.records IN EXCLUSIVE MODE');
      await publishDebtor(producer, victim);
      await expectEventually(async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'exchange' AND wait_event_type = 'Lock'`,
        );
        expect((rows[0] as { n: number }).n).toBeGreaterThan(0);
      });
      await exchange.stop('SIGKILL');
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    const stored = await db.query(
      `SELECT count(*)::int AS n FROM exchange.records WHERE source_record_id = $1`,
      [victim.sourceRecordId],
    );
    expect((stored.rows[0] as { n: number }).n).toBe(0);

    exchange = new ExchangeProcess(env);
    await exchange.start();
    const marker = {
      sourceRecordId: `after-kill-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: victim.idNumber,
      name: victim.name,
    };
    await publishDebtor(producer, marker);

    const beijing = await feedOf(
      'beijing-platform',
      (m) => ofSource(m, marker.sourceRecordId).length > 0,
      60_000,
    );
    expect(ofSource(beijing, victim.sourceRecordId)).toHaveLength(1);
    expect(ofSource(beijing, marker.sourceRecordId)).toHaveLength(1);
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM exchange.records WHERE source_record_id = $1) AS records,
              (SELECT count(*)::int FROM exchange.deliveries d JOIN exchange.records r USING (record_id) WHERE r.source_record_id = $1) AS deliveries`,
      [victim.sourceRecordId],
    );
    expect(rows[0]).toEqual({ records: 1, deliveries: 3 });
  });

  it('changes nothing and publishes nothing when the sector topic is replayed from offset 0', async () => {
    const counts = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*)::int FROM exchange.records) AS records, (SELECT count(*)::int FROM exchange.deliveries) AS deliveries, (SELECT count(*)::int FROM exchange.dead_letters) AS dead_letters`,
        )
      ).rows[0] as Record<string, number>;
    const feedEnds = async () =>
      Object.fromEntries(
        await Promise.all(
          FEEDS.map(async (f) => [f, JSON.stringify(await admin.fetchTopicOffsets(Topics.feed(f)))] as const),
        ),
      );

    await exchange.stop();
    const before = { counts: await counts(), feeds: await feedEnds() };
    const sectorTopic = Topics.sectorEvents('courts');
    await admin.resetOffsets({ groupId: env['KAFKA_CONSUMER_GROUP']!, topic: sectorTopic, earliest: true });

    exchange = new ExchangeProcess(env);
    await exchange.start();
    const ends = await admin.fetchTopicOffsets(sectorTopic);
    await expectEventually(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: env['KAFKA_CONSUMER_GROUP']!,
          topics: [sectorTopic],
        });
        // Partitions that never held a message have nothing to re-read or commit.
        for (const end of ends.filter((e) => e.high !== e.low)) {
          expect(committed?.partitions.find((p) => p.partition === end.partition)?.offset).toBe(end.high);
        }
      },
      { timeoutMs: 60_000 },
    );
    expect(await counts()).toEqual(before.counts);
    expect(await feedEnds()).toEqual(before.feeds);
  });
});
