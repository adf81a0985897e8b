import { randomUUID } from 'node:crypto';
import { SubjectKind } from '@cie/contracts';
import { readTopic, testDatabaseUrl, testKafka } from '@cie/testing';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { ExchangeProcess, exchangeEnv } from './exchange-process.js';
import { daysAgo, publishDebtor } from './sector-events.js';

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`subjects-it-${run}`);
// A Beijing person: Beijing holds the clear number, Shanghai is not entitled to Beijing records.
const person = {
  sourceRecordId: `query-np-${run}`,
  kind: SubjectKind.NATURAL_PERSON,
  idNumber: '110105198506150030',
  name: '赵六',
};

describe('subject queries by subscribers', () => {
  let exchange: ExchangeProcess;
  let producer: Producer;
  let db: pg.Client;
  const query = (id: string, key: string, purpose?: string) =>
    fetch(
      `${exchange.url}/v1/subjects/${encodeURIComponent(id)}/records${purpose ? `?purpose=${encodeURIComponent(purpose)}` : ''}`,
      { headers: { authorization: `Bearer ${key}` } },
    );

  beforeAll(async () => {
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `subjects-it-${run}`,
        EXCHANGE_INSTANCE_ID: `subjects-it-${run}`,
        PORT: '28082',
      }),
    );
    await exchange.start();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    db = new pg.Client({ connectionString: testDatabaseUrl() });
    await Promise.all([producer.connect(), db.connect()]);
    await publishDebtor(producer, person);
    await readTopic(kafka, 'credit.feed.beijing-platform.v1', {
      until: (m) => m.some((x) => x.value.includes(Buffer.from(person.sourceRecordId))),
    });
  });

  afterAll(async () => {
    await exchange.stop();
    await Promise.all([producer.disconnect(), db.end()]);
  });

  it('answers a repeated purpose 400 naming it, where it raised a TypeError and a 500', async () => {
    const response = await fetch(
      `${exchange.url}/v1/subjects/${person.idNumber}/records?purpose=${encodeURIComponent('信贷审批')}&purpose=b`,
      { headers: { authorization: 'Bearer demo-key-beijing-platform' } },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 'REPEATED_PARAMETER',
      detail: 'query parameter purpose is given more than once; give it once',
      errors: [{ field: 'purpose', detail: 'purpose must be given once' }],
    });
  });

  it('answers an entitled subscriber in its own view, found by the resident id, and audits the query with its purpose', async () => {
    const response = await query(
      ` ${person.idNumber.slice(0, 6)}-${person.idNumber.slice(6)} `,
      'demo-key-beijing-platform',
      '信贷审批',
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      subject: string;
      records: {
        record: { source: { sourceRecordId: string }; subject: { idNumber: string; canonicalId: string } };
        rule: string;
      }[];
    };
    expect(body.subject).toMatch(/^S[0-9A-F]{32}$/);
    const mine = body.records.find((r) => r.record.source.sourceRecordId === person.sourceRecordId);
    expect(mine?.rule).toContain('#beijing-platform');
    expect(mine?.record.subject).toMatchObject({
      idNumber: person.idNumber,
      canonicalId: body.subject,
    });

    const { rows } = await db.query(
      `SELECT actor, details FROM exchange.audit_log
        WHERE kind = 'query' AND subject_id = (SELECT subject_id FROM exchange.records WHERE source_record_id = $1)
        ORDER BY seq DESC LIMIT 1`,
      [person.sourceRecordId],
    );
    expect(rows[0]).toMatchObject({
      actor: 'beijing-platform',
      details: { purpose: '信贷审批', subscriber: 'beijing-platform' },
    });
  });

  it('stores a record already past its disclosure period but never delivers it or returns it', async () => {
    const old = {
      sourceRecordId: `expired-${run}`,
      kind: SubjectKind.LEGAL_ENTITY,
      idNumber: '91320100748204660Q',
      name: '南京某某科技有限公司',
      decisionDate: daysAgo(3 * 366),
    };
    const marker = { ...old, sourceRecordId: `expired-marker-${run}`, decisionDate: daysAgo(10) };
    await publishDebtor(producer, old);
    await publishDebtor(producer, marker);
    const portal = await readTopic(kafka, 'credit.feed.beijing-platform.v1', {
      until: (m) => m.some((x) => x.value.includes(Buffer.from(marker.sourceRecordId))),
    });
    expect(portal.filter((m) => m.value.includes(Buffer.from(old.sourceRecordId)))).toHaveLength(0);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM exchange.records WHERE source_record_id = $1`,
      [old.sourceRecordId],
    );
    expect(rows[0]).toEqual({ n: 1 });
    const found = (await (await query(old.idNumber, 'demo-key-shanghai-platform', '风险排查')).json()) as {
      records: { record: { source: { sourceRecordId: string } } }[];
    };
    expect(found.records.map((r) => r.record.source.sourceRecordId)).not.toContain(old.sourceRecordId);
  });

  it('returns nothing a subscriber is not entitled to, refuses a query without purpose or with a bad id', async () => {
    const shanghai = (await (
      await query('91320100748204660Q', 'demo-key-shanghai-platform', '风险排查')
    ).json()) as { records: { record: { source: { sourceRecordId: string } } }[] };
    expect(shanghai.records.map((r) => r.record.source.sourceRecordId)).not.toContain(person.sourceRecordId);
    const noPurpose = await query(person.idNumber, 'demo-key-beijing-platform');
    expect(noPurpose.status).toBe(422);
    expect(((await noPurpose.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('purpose');
    expect((await query('not-an-id', 'demo-key-beijing-platform', 'x')).status).toBe(422);
    expect((await query(person.idNumber, 'demo-key-operator', 'x')).status).toBe(403);
  });
  it('gives an operator the subject access report: every record and version, every disclosure and every query', async () => {
    const report = await fetch(`${exchange.url}/v1/subjects/${person.idNumber}/access-report`, {
      headers: { authorization: 'Bearer demo-key-operator' },
    });
    expect(report.status).toBe(200);
    const body = (await report.json()) as {
      records: { source: { sourceRecordId: string }; versions: { version: number }[] }[];
      disclosures: { recordId: string; subscriber: string; eventType: string; rule: string }[];
      queries: { subscriber: string; purpose: string }[];
    };
    const mine = body.records.find((r) => r.source.sourceRecordId === person.sourceRecordId);
    expect(mine?.versions.map((v) => v.version)).toEqual([1]);
    expect(body.disclosures.map((d) => d.subscriber)).toEqual(
      expect.arrayContaining(['beijing-platform', 'public-portal']),
    );
    expect(body.disclosures.every((d) => d.eventType.startsWith('credit.record.') && d.rule.length > 0)).toBe(
      true,
    );
    expect(body.queries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriber: 'beijing-platform', purpose: '信贷审批' }),
      ]),
    );
    expect(JSON.stringify(body)).not.toContain(person.idNumber);
    const bySubscriber = await fetch(`${exchange.url}/v1/subjects/${person.idNumber}/access-report`, {
      headers: { authorization: 'Bearer demo-key-beijing-platform' },
    });
    expect(bySubscriber.status).toBe(403);
  });
});
