import { randomUUID } from 'node:crypto';
import { CreditEventType, SubjectKind, verifySignedReceipt } from '@cie/contracts';
import { expectEventually, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import {
  publishDebtor,
  publishMajorViolation,
  publishSupplierMisconduct,
  publishWithdrawal,
  testUscc,
} from './sector-events.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`checks-it-${run}`);
const OFFICER = 'demo-key-procurement-officer';
const OPERATOR = 'demo-key-operator';
const BEIJING = 'demo-key-beijing-platform';
const SHANGHAI = 'demo-key-shanghai-platform';

// Beijing companies: the Beijing platform is entitled to their records, Shanghai is not.
const debtor = {
  sourceRecordId: `chk-debtor-${run}`,
  kind: SubjectKind.LEGAL_ENTITY,
  idNumber: testUscc('110105', run, 1),
  name: '北京某某建设工程有限公司',
};
const corrected = {
  sourceRecordId: `chk-corrected-${run}`,
  kind: SubjectKind.LEGAL_ENTITY,
  idNumber: testUscc('110105', run, 2),
  name: '北京某某商贸有限公司',
  outstandingAmount: '50000.00',
};
const clean = testUscc('110108', run, 3);

interface CheckAnswer {
  receipt: {
    number: string;
    summary: Record<string, number>;
    sources: { sector: string; stale: boolean; lastProcessedAt: string | null }[];
    results: {
      index: number;
      subject: string;
      status: string;
      entries: { listType: string; colour: string }[];
      measures: { measureId: string; mode: string; documentNumber: string; legalBasis: string }[];
      staleSources: string[];
    }[];
  };
  signature: { algorithm: string; keyId: string; value: string };
  sha256: string;
  audit: { seq: string };
}
interface Verified {
  verification: { valid: boolean; checks: { check: string; ok: boolean; detail: string }[] };
}

describe('checks at the point of decision, reports and asOf, through the real pipeline', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${exchange.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  };
  const check = (subjects: string[], reference: string, key = OFFICER) =>
    call('POST', '/v1/checks', key, {
      subjects,
      scenario: 'procurement_bid',
      businessReference: reference,
      purpose: '投标人资格审查',
    });
  const entryOf = async (sourceRecordId: string) =>
    (
      await db.query<{ state: string; listed_at: Date; ended_at: Date | null }>(
        `SELECT e.state, e.listed_at, e.ended_at FROM exchange.list_entries e JOIN exchange.records r USING (record_id)
          WHERE r.source_record_id = $1 AND e.list_type = 'courts.dishonest_debtors'`,
        [sourceRecordId],
      )
    ).rows[0];
  const deliveriesOf = async (sourceRecordId: string) =>
    (
      await db.query<{ version: number; event_type: string; created_at: Date }>(
        `SELECT d.version, d.event_type, d.created_at FROM exchange.deliveries d JOIN exchange.records r USING (record_id)
          WHERE r.source_record_id = $1 AND d.subscriber_id = 'beijing-platform' ORDER BY d.created_at`,
        [sourceRecordId],
      )
    ).rows;
  /** An event on each source a procurement bid depends on, so that none is stale. */
  const freshenSources = async (serial: number) => {
    const since = new Date();
    await publishMajorViolation(producer, {
      sourceRecordId: `chk-tax-${run}-${serial}`,
      uscc: testUscc('110102', run, 100 + serial),
      name: '北京某某贸易有限公司',
    });
    await publishSupplierMisconduct(producer, {
      sourceRecordId: `chk-gp-${run}-${serial}`,
      uscc: testUscc('110108', run, 200 + serial),
      name: '北京某某科技有限公司',
    });
    // Processed and published (the exchange's progress on each topic moved), not only stored.
    await expectEventually(
      async () => {
        const { rows } = await db.query<{ topic: string }>(
          `SELECT DISTINCT topic FROM exchange.consumer_progress WHERE updated_at >= $1 ORDER BY topic`,
          [since],
        );
        expect(rows.map((r) => r.topic)).toEqual(
          expect.arrayContaining(['credit.procurement.events.v1', 'credit.tax.events.v1']),
        );
      },
      { timeoutMs: 60_000 },
    );
  };

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `checks-it-${run}`,
        EXCHANGE_INSTANCE_ID: `checks-it-${run}`,
        CHECK_STALE_AFTER_HOURS: '24',
        PORT: '28093',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([producer.connect(), db.connect()]);
    await publishDebtor(producer, debtor);
    await freshenSources(1);
    await expectEventually(async () => {
      const { rows } = await db.query(
        `SELECT 1 FROM exchange.consumer_progress WHERE topic = 'credit.courts.events.v1'`,
      );
      expect(rows.length).toBeGreaterThan(0);
    });
    // The pipeline lists the court's dishonest debtor on publication.
    await expectEventually(async () => expect((await entryOf(debtor.sourceRecordId))?.state).toBe('active'), {
      timeoutMs: 30_000,
    });
  }, 150_000);

  afterAll(async () => {
    await exchange?.stop();
    await Promise.all([producer?.disconnect(), db?.end()]);
  });

  let hitReceipt: CheckAnswer;

  it('finds the listed company a hit with the mandatory procurement ban, and a clean one clear, in one signed receipt', async () => {
    const answer = await check([debtor.idNumber, clean], `ZB-${run}-1`);
    expect(answer.status).toBe(201);
    hitReceipt = answer.json<CheckAnswer>();
    const { receipt } = hitReceipt;
    expect(receipt.number).toMatch(/^CHK-\d{8}-\d{6,}$/);
    expect(receipt.sources.map((s) => [s.sector, s.stale])).toEqual([
      ['courts', false],
      ['procurement', false],
      ['tax', false],
    ]);
    expect(receipt.results[0]).toMatchObject({
      index: 0,
      subject: debtor.idNumber,
      status: 'hit',
      entries: [{ listType: 'courts.dishonest_debtors', colour: 'black' }],
      measures: [
        {
          measureId: 'dd-procurement-ban',
          mode: 'mandatory',
          documentNumber: '发改财金〔2016〕141号',
          legalBasis: expect.stringContaining('政府采购法'),
        },
      ],
    });
    expect(receipt.results[1]).toMatchObject({ index: 1, subject: clean, status: 'clear', entries: [] });
    expect(receipt.summary).toEqual({ hit: 1, clear: 1, indeterminate: 0 });
  });

  it('verifies offline with the published key, and at GET /v1/checks/{number} for its client and the operator only', async () => {
    const key = (await call('GET', '/v1/signing-key', 'no-key-needed')).json<{
      keyId: string;
      publicKeyPem: string;
    }>();
    expect(key.keyId).toBe(hitReceipt.signature.keyId);
    expect(verifySignedReceipt(hitReceipt, key.publicKeyPem).valid).toBe(true);

    const mine = await call('GET', `/v1/checks/${hitReceipt.receipt.number}`, OFFICER);
    expect(mine.status).toBe(200);
    const verified = mine.json<Verified & CheckAnswer>();
    expect(verified.verification.valid).toBe(true);
    expect(verified.verification.checks.map((c) => [c.check, c.ok])).toEqual([
      ['sha256', true],
      ['signature', true],
      ['canonical', true],
      ['audit', true],
      ['chain', true],
    ]);
    // What GET answers is itself a receipt that verifies offline.
    expect(verifySignedReceipt(verified, key.publicKeyPem).valid).toBe(true);
    expect((await call('GET', `/v1/checks/${hitReceipt.receipt.number}`, OPERATOR)).status).toBe(200);
    expect((await call('GET', `/v1/checks/${hitReceipt.receipt.number}`, BEIJING)).status).toBe(404);
  });

  it('shows a subscriber only the entries of records its entitlement covers, and says so in the receipt', async () => {
    const beijing = (await check([debtor.idNumber], `ZB-${run}-bj`, BEIJING)).json<
      CheckAnswer & { receipt: { scope: string } }
    >();
    expect(beijing.receipt.results[0]?.status).toBe('hit');
    const shanghai = (await check([debtor.idNumber], `ZB-${run}-sh`, SHANGHAI)).json<
      CheckAnswer & { receipt: { scope: string } }
    >();
    expect(shanghai.receipt.scope).toContain('shanghai-platform');
    expect(shanghai.receipt.results[0]).toMatchObject({ entries: [], measures: [] });
    expect(shanghai.receipt.results[0]?.status).not.toBe('hit');
    // A pseudonym-only subscriber cannot check a person by clear resident id (it would link its
    // feed's pseudonym to the number); one entitled to clear identities can.
    const person = '310115198001010016';
    const refused = await check([person], `ZB-${run}-sh-person`, SHANGHAI);
    expect(refused.status).toBe(403);
    expect(refused.json<{ detail: string }>().detail).toContain('by pseudonym only');
    expect((await check([person], `ZB-${run}-bj-person`, BEIJING)).status).toBe(201);
  });

  it('fails to verify after one byte of the stored receipt changes', async () => {
    const { receipt } = (await check([clean], `ZB-${run}-tamper-receipt`)).json<CheckAnswer>();
    const { rows } = await db.query<{ at: number }>(
      `SELECT position(convert_to($2, 'UTF8') IN body) - 1 AS at FROM exchange.receipts WHERE number = $1`,
      [receipt.number, `ZB-${run}-tamper-receipt`],
    );
    const at = rows[0]!.at;
    expect(at).toBeGreaterThan(0);
    // Receipts are append-only: only someone who can disable the trigger can change one.
    const flip = `ALTER TABLE exchange.receipts DISABLE TRIGGER receipts_append_only;
      UPDATE exchange.receipts SET body = set_byte(body, ${at}, get_byte(body, ${at}) # 1) WHERE number = '${receipt.number}';
      ALTER TABLE exchange.receipts ENABLE TRIGGER receipts_append_only;`;
    await db.query(flip);
    try {
      const verified = (await call('GET', `/v1/checks/${receipt.number}`, OFFICER)).json<Verified>();
      expect(verified.verification.valid).toBe(false);
      expect(verified.verification.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual([
        'sha256',
        'signature',
        'audit',
      ]);
    } finally {
      await db.query(flip);
    }
    expect(
      (await call('GET', `/v1/checks/${receipt.number}`, OFFICER)).json<Verified>().verification.valid,
    ).toBe(true);
  });

  it('fails to verify after one byte of its audit row changes', async () => {
    const { receipt, audit } = (await check([clean], `ZB-${run}-tamper-audit`)).json<CheckAnswer>();
    const { rows } = await db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM exchange.audit_log WHERE seq = $1`,
      [audit.seq],
    );
    const original = rows[0]!.details;
    expect(original).toMatchObject({
      number: receipt.number,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const set = async (details: Record<string, unknown>) =>
      db.query(
        `ALTER TABLE exchange.audit_log DISABLE TRIGGER audit_log_append_only;
         UPDATE exchange.audit_log SET details = '${JSON.stringify(details).replaceAll("'", "''")}'::jsonb WHERE seq = ${Number(audit.seq)};
         ALTER TABLE exchange.audit_log ENABLE TRIGGER audit_log_append_only;`,
      );
    // One character of the business reference the entry recorded.
    await set({ ...original, businessReference: `ZB-${run}-tamper-audiT` });
    try {
      const verified = (await call('GET', `/v1/checks/${receipt.number}`, OFFICER)).json<Verified>();
      expect(verified.verification.valid).toBe(false);
      const failed = verified.verification.checks.filter((c) => !c.ok);
      expect(failed.map((c) => c.check)).toEqual(['chain']);
      expect(failed[0]?.detail).toContain(`entry ${audit.seq}: edited`);
    } finally {
      await set(original);
    }
    expect(
      (await call('GET', `/v1/checks/${receipt.number}`, OFFICER)).json<Verified>().verification.valid,
    ).toBe(true);
  });

  it('refuses 1,001 subjects with 400 naming the field, and a bad subject id with its index', async () => {
    const tooMany = await check(
      Array.from({ length: 1001 }, () => clean),
      `ZB-${run}-batch`,
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json<{ code: string; errors: { field: string }[] }>()).toMatchObject({
      code: 'TOO_MANY_SUBJECTS',
      errors: [{ field: 'subjects' }],
    });
    const bad = await check([clean, 'not-a-code'], `ZB-${run}-bad`);
    expect(bad.status).toBe(422);
    expect(bad.json<{ errors: { field: string }[] }>().errors).toEqual([
      expect.objectContaining({ field: 'subjects[1]' }),
    ]);
    const noScenario = await call('POST', '/v1/checks', OFFICER, {
      subjects: [clean],
      businessReference: 'x',
      purpose: 'y',
    });
    expect(noScenario.status).toBe(422);
    expect(noScenario.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('scenario');
  });

  it('checks 1,000 subjects in one receipt (批量比对)', async () => {
    // Distinct valid codes: serials of up to 3 digits, in two districts.
    const subjects = Array.from({ length: 1000 }, (_, i) =>
      i === 500 ? debtor.idNumber : testUscc(i < 500 ? '110106' : '110107', run, i % 500),
    );
    const started = Date.now();
    const answer = await check(subjects, `ZB-${run}-1000`);
    expect(answer.status).toBe(201);
    const { receipt } = answer.json<CheckAnswer>();
    expect(receipt.results).toHaveLength(1000);
    expect(receipt.summary).toEqual({ hit: 1, clear: 999, indeterminate: 0 });
    expect(receipt.results[500]?.status).toBe('hit');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  let corrections: { beforeV1: Date; betweenV1AndV2: Date };

  it('answers asOf on a subject’s records for an instant between two versions of a record', async () => {
    const beforeV1 = new Date();
    await new Promise((r) => setTimeout(r, 50));
    await publishDebtor(producer, corrected);
    await expectEventually(async () => expect(await deliveriesOf(corrected.sourceRecordId)).toHaveLength(1));
    const betweenV1AndV2 = new Date();
    await new Promise((r) => setTimeout(r, 50));
    await publishDebtor(producer, {
      ...corrected,
      outstandingAmount: '20000.00',
      eventType: CreditEventType.corrected,
    });
    await expectEventually(async () => expect(await deliveriesOf(corrected.sourceRecordId)).toHaveLength(2));
    corrections = { beforeV1, betweenV1AndV2 };

    const records = async (asOf?: string) => {
      const r = await call(
        'GET',
        `/v1/subjects/${corrected.idNumber}/records?purpose=${encodeURIComponent('信贷审批')}${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`,
        BEIJING,
      );
      expect(r.status).toBe(200);
      return r.json<{ records: { record: { version: number; attributes: Record<string, string> } }[] }>()
        .records;
    };
    expect((await records(betweenV1AndV2.toISOString())).map((r) => r.record.version)).toEqual([1]);
    expect((await records()).map((r) => r.record.version)).toEqual([2]);
    expect((await records(new Date().toISOString())).map((r) => r.record.version)).toEqual([2]);
    expect(await records(beforeV1.toISOString())).toEqual([]);
    // A date is the end of that day, China time: yesterday nothing, today the current version.
    const day = (offsetDays: number) =>
      new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
    expect(await records(day(-1))).toEqual([]);
    expect((await records(day(0))).map((r) => r.record.version)).toEqual([2]);
    const bad = await call(
      'GET',
      `/v1/subjects/${corrected.idNumber}/records?purpose=x&asOf=2026-02-30`,
      BEIJING,
    );
    expect(bad.status).toBe(422);
    expect(bad.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('asOf');
  });

  it('answers what a subscriber held as of an instant from the delivery ledger, and only about itself', async () => {
    const holdings = async (asOf: string, key = BEIJING, subscriber = 'beijing-platform') =>
      call('GET', `/v1/subscribers/${subscriber}/holdings?asOf=${encodeURIComponent(asOf)}`, key);
    const held = async (asOf: string) =>
      (await holdings(asOf)).json<{ records: { recordId: string; version: number }[] }>().records;
    const { rows } = await db.query<{ record_id: string }>(
      `SELECT record_id FROM exchange.records WHERE source_record_id = $1`,
      [corrected.sourceRecordId],
    );
    const id = rows[0]!.record_id;
    const versionAt = async (asOf: string) => (await held(asOf)).find((r) => r.recordId === id)?.version;
    expect(await versionAt(corrections.beforeV1.toISOString())).toBeUndefined();
    expect(await versionAt(corrections.betweenV1AndV2.toISOString())).toBe(1);
    expect(await versionAt(new Date().toISOString())).toBe(2);
    expect((await holdings(new Date().toISOString(), SHANGHAI)).status).toBe(403);
    expect((await holdings(new Date().toISOString(), OPERATOR)).status).toBe(200);
  });

  it('gives the credit report in the caller’s view, numbered, signed and verifiable, as JSON and printable HTML', async () => {
    const report = await call('GET', `/v1/subjects/${corrected.idNumber}/report`, OPERATOR);
    expect(report.status).toBe(200);
    const body = report.json<{
      receipt: {
        number: string;
        sections: Record<string, unknown> & { judicial: { recordId: string; version: number }[] };
      };
    }>();
    expect(body.receipt.number).toMatch(/^RPT-\d{8}-\d{6,}$/);
    expect(Object.keys(body.receipt.sections).sort()).toEqual([
      'administrativeDecisions',
      'commitments',
      'judicial',
      'other',
      'positiveRecordsAndRatings',
      'seriousDishonestyLists',
    ]);
    expect(body.receipt.sections.judicial).toEqual([expect.objectContaining({ version: 2 })]);
    expect(body.receipt.sections['seriousDishonestyLists']).toEqual([
      expect.objectContaining({ listType: 'courts.dishonest_debtors' }),
    ]);
    const verified = (await call('GET', `/v1/reports/${body.receipt.number}`, OPERATOR)).json<Verified>();
    expect(verified.verification.valid).toBe(true);

    const html = await call('GET', `/v1/subjects/${corrected.idNumber}/report?format=html`, OPERATOR);
    expect(html.type).toContain('text/html');
    expect(html.text).toContain('信用报告');
    expect(html.text).toMatch(/RPT-\d{8}-\d{6,}/);
    expect(html.text).not.toMatch(/<script|<link|src=/);

    // Shanghai is not entitled to Beijing courts records: its report holds none of them, nor their listing.
    const shanghai = (
      await call(
        'GET',
        `/v1/subjects/${corrected.idNumber}/report?purpose=${encodeURIComponent('风险排查')}`,
        SHANGHAI,
      )
    ).json<{ receipt: { sections: { judicial: unknown[]; seriousDishonestyLists: unknown[] } } }>();
    expect(shanghai.receipt.sections.judicial).toEqual([]);
    expect(shanghai.receipt.sections.seriousDishonestyLists).toEqual([]);
    expect((await call('GET', `/v1/subjects/${corrected.idNumber}/report`, SHANGHAI)).status).toBe(422);
    expect((await call('GET', `/v1/reports/${body.receipt.number}`, SHANGHAI)).status).toBe(404);
  });

  let listedBetween: Date;

  it('is clear after the court withdraws the record (the obligation fulfilled), with its own receipt', async () => {
    listedBetween = new Date();
    await publishWithdrawal(producer, debtor);
    await expectEventually(
      async () => expect((await entryOf(debtor.sourceRecordId))?.state).toBe('removed'),
      {
        timeoutMs: 30_000,
      },
    );
    const answer = (await check([debtor.idNumber], `ZB-${run}-2`)).json<CheckAnswer>();
    expect(answer.receipt.number).not.toBe(hitReceipt.receipt.number);
    expect(answer.receipt.results[0]).toMatchObject({ status: 'clear', entries: [], measures: [] });
  });

  it('answers a list as of an instant: the entry while listed, not after its removal', async () => {
    const entries = async (asOf?: string) => {
      const r = await call(
        'GET',
        `/v1/lists/courts.dishonest_debtors/entries?limit=1000${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`,
        OPERATOR,
      );
      expect(r.status).toBe(200);
      return r.json<{ entries: { subject: string }[] }>().entries.map((e) => e.subject);
    };
    expect(await entries(listedBetween.toISOString())).toContain(debtor.idNumber);
    expect(await entries()).not.toContain(debtor.idNumber);
    const types = (await call('GET', '/v1/lists', OFFICER)).json<{ types: { id: string }[] }>();
    expect(types.types.map((t) => t.id)).toContain('courts.dishonest_debtors');
    expect((await call('GET', '/v1/lists/no.such_list/entries', OPERATOR)).status).toBe(404);
  });

  it('is indeterminate, never clear, when a source it depends on is stale', async () => {
    // The exchange last processed a tax event 30 days ago (as if the tax sector had gone quiet).
    const age = (sign: '-' | '+') =>
      db.query(
        `UPDATE exchange.processed_events SET processed_at = processed_at ${sign} interval '30 days' WHERE topic = 'credit.tax.events.v1'`,
      );
    await age('-');
    try {
      const { receipt } = (await check([clean, debtor.idNumber], `ZB-${run}-stale`)).json<CheckAnswer>();
      expect(receipt.sources.find((s) => s.sector === 'tax')).toMatchObject({ stale: true });
      expect(receipt.results.map((r) => [r.status, r.staleSources])).toEqual([
        ['indeterminate', ['tax']],
        ['indeterminate', ['tax']],
      ]);
    } finally {
      await age('+');
    }
  });
});
