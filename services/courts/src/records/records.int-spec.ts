import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { fromBinary } from '@bufbuild/protobuf';
import { DishonestDebtorEventSchema, PerformanceStatus, SubjectKind, Topics } from '@cie/contracts';
import { loadConfig } from '@cie/platform';
import { readTopic, testKafka, testKafkaBrokers } from '@cie/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { CourtsConfig } from '../courts.config.js';
import { createApp } from '../main.js';

const COURT_KEY = 'demo-key-court-bj-chaoyang';
const TAX_KEY = 'demo-key-tax-bj';
const topic = Topics.sectorEvents('courts');
const AGENCY_KEYS_FILE = fileURLToPath(
  new URL('../../../../deploy/local/agency-keys.demo.json', import.meta.url),
);

const validRecord = (sourceRecordId: string) => ({
  sourceRecordId,
  caseNumber: '(2023)京0105执12345号',
  court: '北京市朝阳区人民法院',
  debtor: { kind: 'legal_entity', idNumber: '9132 0100-7482 0466 0q', name: '南京某某科技有限公司' },
  obligation: '支付货款人民币125000元及利息',
  performanceStatus: 'not_performed',
  outstandingAmount: '125000.00',
  decisionDate: '2023-06-01',
});

describe('courts: POST /v1/records on the real broker', () => {
  let app: NestExpressApplication;
  let base: string;
  const run = randomUUID().slice(0, 8);

  beforeAll(async () => {
    const config = loadConfig(CourtsConfig, {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      AGENCY_KEYS_FILE,
      PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (body: unknown, key?: string) =>
    fetch(`${base}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(body),
    });

  it('accepts a valid record with 202 only after the broker has it, as protobuf with CloudEvents headers', async () => {
    const invalidId = `bad-${run}`;
    const invalid = await post(
      {
        ...validRecord(invalidId),
        debtor: { kind: 'legal_entity', idNumber: '91320100748204660A', name: 'x' },
      },
      COURT_KEY,
    );
    expect(invalid.status).toBe(422);

    const response = await post(validRecord(`ok-${run}`), COURT_KEY);
    expect(response.status).toBe(202);
    const receipt = (await response.json()) as {
      eventId: string;
      topic: string;
      partition: number;
      offset: string;
    };
    expect(receipt).toMatchObject({
      status: 'accepted',
      agencyId: 'court-bj-chaoyang',
      sourceRecordId: `ok-${run}`,
      topic,
    });

    const messages = await readTopic(testKafka('courts-it'), topic, {
      until: (read) => read.some((m) => m.headers['ce_id'] === receipt.eventId),
    });
    const message = messages.find((m) => m.headers['ce_id'] === receipt.eventId);
    expect(message).toBeDefined();
    expect(message?.partition).toBe(receipt.partition);
    expect(message?.offset).toBe(receipt.offset);
    expect(message?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: 'credit.record.published',
      ce_source: '/sectors/courts/agencies/court-bj-chaoyang',
      ce_dataschema: 'cie.courts.v1.DishonestDebtorEvent',
      'content-type': 'application/protobuf',
    });
    const event = fromBinary(DishonestDebtorEventSchema, message!.value);
    expect(event.debtor).toMatchObject({ kind: SubjectKind.LEGAL_ENTITY, idNumber: '91320100748204660Q' });
    expect(event.source).toMatchObject({
      agencyId: 'court-bj-chaoyang',
      sourceRecordId: `ok-${run}`,
      decisionDate: '2023-06-01',
    });
    expect(event.performanceStatus).toBe(PerformanceStatus.NOT_PERFORMED);
    expect(event.outstandingAmount).toBe('125000.00');

    // The refused record never reached the topic.
    // (Other suites share the topic and may leave messages that are not court events: skip those.)
    const refused = messages
      .filter((m) => m.headers['ce_dataschema'] === DishonestDebtorEventSchema.typeName)
      .filter((m) => fromBinary(DishonestDebtorEventSchema, m.value).source?.sourceRecordId === invalidId);
    expect(refused).toHaveLength(0);
  });

  it('refuses a wrong USCC check digit with a 422 problem naming the field', async () => {
    const response = await post(
      {
        ...validRecord(`uscc-${run}`),
        debtor: { kind: 'legal_entity', idNumber: '91320100748204660A', name: 'x' },
      },
      COURT_KEY,
    );
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as {
      status: number;
      code: string;
      errors: { field: string; detail: string }[];
    };
    expect(problem).toMatchObject({ status: 422, code: 'INVALID_FIELDS' });
    expect(problem.errors).toEqual([
      {
        field: 'debtor.idNumber',
        detail: 'idNumber check character is A, expected Q (GB 32100) (unified social credit code)',
      },
    ]);
  });

  it('refuses a bad resident id, a malformed case number and unknown fields, naming each', async () => {
    const body = {
      ...validRecord(`multi-${run}`),
      caseNumber: '2023-12345',
      debtor: { kind: 'natural_person', idNumber: '110105194912310021', name: '张三' },
      surprise: true,
    };
    const problem = (await (await post(body, COURT_KEY)).json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['caseNumber', 'debtor.idNumber', 'surprise']);
  });

  it('answers 401 without a key or with an unknown key, and 403 to another sector’s agency', async () => {
    expect((await post(validRecord(`nokey-${run}`))).status).toBe(401);
    const unknown = await post(validRecord(`badkey-${run}`), 'not-a-key');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer');
    const tax = await post(validRecord(`tax-${run}`), TAX_KEY);
    expect(tax.status).toBe(403);
    expect(((await tax.json()) as { detail: string }).detail).toContain('sector tax');
  });

  it('answers a malformed JSON body with a 400 problem', async () => {
    const response = await fetch(`${base}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${COURT_KEY}` },
      body: '{"sourceRecordId": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
