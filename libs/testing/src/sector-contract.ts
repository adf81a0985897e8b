import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  DisputeFiledSchema,
  DisputeResolutionSchema,
  RecordWithdrawalSchema,
  RepairDecisionSchema,
  RepairRequestedSchema,
  SourceRefSchema,
  SubmissionReceiptSchema,
  Topics,
} from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import {
  createSectorApp,
  receiptsTopic,
  type Receipt,
  type SectorDefinition,
  submissionsTopic,
} from '@cie/sector-kit';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Message } from 'kafkajs';
import { expectEventually } from './expect-eventually.js';
import { sectorAppWithoutBroker, sectorTestConfig } from './sector-test-app.js';
import { NOT_API_PATHS, openApiRoutes, undocumentedRoutes } from './openapi-coverage.js';
import { type ReadMessage, readTopic, sendMessages, testKafka } from './kafka-reader.js';
import { expectEveryRouteGuarded } from './route-guard.js';
import { signedSubmission } from './agency-signing.js';

/** The only routes of a sector service that need no key; the OpenAPI document describes the API, no data. */
const SECTOR_OPEN_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics', 'GET /openapi.json'];

export interface SectorContractOptions {
  sector: SectorDefinition;
  /** Demo key of an agency of this sector. */
  agencyKey: string;
  /** Demo key of an agency of another sector (403). */
  otherSectorKey: string;
}

type Json = Record<string, unknown>;

/** Headers of a request as the exchange sends it on credit.<sector>.requests.v1. */
const requestHeaders = (type: string, dataschema: string, recordId: string) =>
  cloudEventHeaders({
    id: randomUUID(),
    source: '/exchange',
    type,
    time: new Date(),
    subject: recordId,
    dataschema,
  });

/** A dispute as the exchange files it with the record's agency. */
function disputeFiledMessage(
  sector: SectorDefinition,
  ids: { disputeId: string; recordId: string; agencyId: string; sourceRecordId: string },
) {
  return {
    key: ids.agencyId,
    value: Buffer.from(
      toBinary(
        DisputeFiledSchema,
        create(DisputeFiledSchema, {
          disputeId: ids.disputeId,
          recordId: ids.recordId,
          source: create(SourceRefSchema, {
            sector: sector.sector,
            agencyId: ids.agencyId,
            sourceRecordId: ids.sourceRecordId,
          }),
          recordType: sector.recordTypes[0]!.recordType,
          version: 1,
          grounds: '欠款已于判决后全部清偿',
          filedBy: 'subject',
          filedAt: timestampFromDate(new Date()),
          dueBy: '2099-12-31',
        }),
      ),
    ),
    headers: requestHeaders(AgencyRequestType.disputeFiled, DisputeFiledSchema.typeName, ids.recordId),
  };
}

/** The example of a record type, made unique to this test run. */
function exampleOf(sector: SectorDefinition, index: number, id: string): Json {
  const definition = sector.recordTypes[index];
  if (!definition) throw new Error(`no record type ${index}`);
  return { ...structuredClone(definition.example), sourceRecordId: id };
}

/**
 * The contract every sector service keeps, run against the real broker and database: valid records
 * of every type, field errors, idempotent and conflicting resubmission, correction, withdrawal,
 * arrays, NDJSON bulk, the Kafka submission path with receipts, hostile input, cross-sector 403,
 * rate limits and the broker being unavailable.
 */
export function describeSectorService({ sector, agencyKey, otherSectorKey }: SectorContractOptions): void {
  const name = sector.sector;
  const topic = Topics.sectorEvents(name);
  const run = randomUUID().slice(0, 8);
  const config = (overrides: Record<string, string> = {}) =>
    // The route and refusal tests below fail authentication on purpose, more than 20 times a minute.
    sectorTestConfig({ AUTH_FAILURES_PER_MINUTE: '100000', ...overrides });

  describe(`${name} service: the sector contract on the real broker and database`, () => {
    let app: NestExpressApplication;
    let base: string;
    const kafka = testKafka(`${name}-contract-${run}`);

    beforeAll(async () => {
      app = await createSectorApp(sector, config());
      await app.listen(0, '127.0.0.1');
      base = await app.getUrl();
    });
    afterAll(async () => {
      await app.close();
    });

    const post = (path: string, body: unknown, { key = agencyKey, type = 'application/json' } = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${key}` },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
    const get = (path: string, key = agencyKey) =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const fieldsOf = async (response: Response) =>
      ((await response.json()) as { errors?: { field: string }[] }).errors?.map((e) => e.field);
    const eventsOf = async (until: (messages: readonly ReadMessage[]) => boolean) =>
      readTopic(kafka, topic, { until });
    /** Sends messages on the sector's requests topic, as the exchange does. */
    const sendRequests = (messages: Message[]) => sendMessages(kafka, Topics.requests(name), messages);
    /** Files a dispute about one of the agency's records, as the exchange does, and waits for it in the inbox. */
    const fileDispute = async (sourceRecordId: string): Promise<string> => {
      const record = (await (await get(`/v1/records/${sourceRecordId}`)).json()) as Json;
      const disputeId = randomUUID();
      await sendRequests([
        disputeFiledMessage(sector, {
          disputeId,
          recordId: randomUUID(),
          agencyId: String(record['agencyId']),
          sourceRecordId,
        }),
      ]);
      await expectEventually(async () => expect((await get(`/v1/disputes/${disputeId}`)).status).toBe(200));
      return disputeId;
    };
    /**
     * Every resolution of the dispute on the sector topic, read until `eventId` is there. Answers travel
     * on the record's key: one published before it would be on the same partition, ahead of it.
     */
    const resolutionsOf = async (disputeId: string, eventId: string) =>
      (await eventsOf((m) => withId(m, eventId).length > 0))
        .filter((m) => m.headers['ce_type'] === AgencyRequestType.disputeResolved)
        .map((m) => ({ eventId: m.headers['ce_id'], ...fromBinary(DisputeResolutionSchema, m.value) }))
        .filter((a) => a.disputeId === disputeId);
    /** The receipts of these submissions (by `ce_id`), read from the receipts topic. */
    const receiptsFor = async (ids: string[]) => {
      const receipts = (
        await readTopic(kafka, receiptsTopic(name), {
          until: (m) =>
            ids.every((id) =>
              m.some((x) => fromBinary(SubmissionReceiptSchema, x.value).submissionId === id),
            ),
          timeoutMs: 30_000,
        })
      )
        .map((m) => fromBinary(SubmissionReceiptSchema, m.value))
        .filter((r) => ids.includes(r.submissionId));
      return new Map(receipts.map((r) => [r.submissionId, r]));
    };
    const withId = (messages: readonly ReadMessage[], eventId: string) =>
      messages.filter((m) => m.headers['ce_id'] === eventId);

    it.each(sector.recordTypes.map((d, i) => [d.recordType, i] as const))(
      'accepts a valid %s, published once with CloudEvents headers where the receipt says',
      async (recordType, index) => {
        const body = exampleOf(sector, index, `${run}-valid-${index}`);
        const response = await post('/v1/records', body);
        expect(response.status).toBe(202);
        const receipt = (await response.json()) as Json;
        expect(receipt).toMatchObject({
          status: 'accepted',
          recordType,
          version: 1,
          topic,
          sourceRecordId: body['sourceRecordId'],
        });

        const messages = await eventsOf((m) => withId(m, String(receipt['eventId'])).length > 0);
        const [event] = withId(messages, String(receipt['eventId']));
        expect(event).toMatchObject({ partition: receipt['partition'], offset: receipt['offset'] });
        expect(event?.headers).toMatchObject({
          ce_specversion: '1.0',
          ce_type: 'credit.record.published',
          ce_source: `/sectors/${name}/agencies/${String(((await (await fetch(`${base}/v1/records/${String(body['sourceRecordId'])}`, { headers: { authorization: `Bearer ${agencyKey}` } })).json()) as Json)['agencyId'])}`,
          'content-type': 'application/protobuf',
          ce_dataschema: sector.recordTypes[index]!.schema.typeName,
        });
        const decoded = fromBinary(sector.recordTypes[index]!.schema, event!.value) as unknown as {
          source: Json;
          subject: Json;
        };
        expect(decoded.source).toMatchObject({
          sector: name,
          sourceRecordId: body['sourceRecordId'],
          decisionDate: body['decisionDate'],
        });
        expect(JSON.stringify(event?.headers)).not.toContain(String((body['subject'] as Json)['idNumber']));
      },
    );

    it.each(sector.recordTypes.map((d, i) => [d.recordType, i] as const))(
      'refuses a %s with a wrong identity number, an impossible date and an unknown field, naming each, publishing nothing',
      async (_type, index) => {
        const body = exampleOf(sector, index, `${run}-invalid-${index}`);
        const subject = body['subject'] as Json;
        const badId = subject['kind'] === 'natural_person' ? '110105194912310021' : '91320100748204660A';
        const response = await post('/v1/records', {
          ...body,
          decisionDate: '2023-02-30',
          subject: { ...subject, idNumber: badId },
          surprise: 1,
        });
        expect(response.status).toBe(422);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as { errors: { field: string; detail: string }[] };
        // Each broken field is named (a type may add its own cross-field findings, e.g. a period ending after the date).
        expect(problem.errors.map((e) => e.field)).toEqual(
          expect.arrayContaining(['decisionDate', 'subject.idNumber', 'surprise']),
        );
        const history = await fetch(`${base}/v1/records/${String(body['sourceRecordId'])}`, {
          headers: { authorization: `Bearer ${agencyKey}` },
        });
        expect(history.status).toBe(404);
      },
    );

    it('answers a resubmission with the same receipt and no second event, and a different one with 409', async () => {
      const body = exampleOf(sector, 0, `${run}-again`);
      const first = (await (await post('/v1/records', body)).json()) as Json;
      const again = await post('/v1/records', body);
      expect(again.status).toBe(200);
      expect((await again.json()) as Json).toMatchObject({
        status: 'duplicate',
        eventId: first['eventId'],
        offset: first['offset'],
      });
      const conflicting = await post('/v1/records', {
        ...body,
        decidingAuthority: `${String(body['decidingAuthority'])}（更正）`,
      });
      expect(conflicting.status).toBe(409);

      const messages = await eventsOf((m) => withId(m, String(first['eventId'])).length > 0);
      const schema = sector.recordTypes[0]!.schema;
      const forRecord = messages
        .filter((m) => m.headers['ce_dataschema'] === schema.typeName)
        .filter(
          (m) =>
            (fromBinary(schema, m.value) as unknown as { source?: Json }).source?.['sourceRecordId'] ===
            body['sourceRecordId'],
        );
      expect(forRecord).toHaveLength(1);
    });

    it('publishes a correction as version 2 and a withdrawal, and shows both in the record history', async () => {
      const body = exampleOf(sector, 0, `${run}-lifecycle`);
      expect((await post('/v1/records', body)).status).toBe(202);
      const corrected = { ...body, decidingAuthority: `${String(body['decidingAuthority'])}（复核）` };
      const correction = await post(`/v1/records/${String(body['sourceRecordId'])}/corrections`, corrected);
      expect(correction.status).toBe(202);
      const correctionReceipt = (await correction.json()) as Json;
      expect(correctionReceipt).toMatchObject({ action: 'correct', version: 2 });
      expect(
        (await post(`/v1/records/${String(body['sourceRecordId'])}/corrections`, corrected)).status,
      ).toBe(200);

      const withdrawal = await post(`/v1/records/${String(body['sourceRecordId'])}/withdrawal`, {
        reason: 'decision_revoked',
        note: '复议撤销',
        withdrawnOn: '2025-10-01',
      });
      expect(withdrawal.status).toBe(202);
      const withdrawalReceipt = (await withdrawal.json()) as Json;

      const messages = await eventsOf((m) => withId(m, String(withdrawalReceipt['eventId'])).length > 0);
      expect(withId(messages, String(correctionReceipt['eventId']))[0]?.headers['ce_type']).toBe(
        'credit.record.corrected',
      );
      const [withdrawn] = withId(messages, String(withdrawalReceipt['eventId']));
      expect(withdrawn?.headers['ce_type']).toBe('credit.record.withdrawn');
      expect(fromBinary(RecordWithdrawalSchema, withdrawn!.value)).toMatchObject({
        recordType: sector.recordTypes[0]!.recordType,
        withdrawnOn: '2025-10-01',
        note: '复议撤销',
      });

      const history = (await (
        await fetch(`${base}/v1/records/${String(body['sourceRecordId'])}`, {
          headers: { authorization: `Bearer ${agencyKey}` },
        })
      ).json()) as { status: string; version: number; events: Json[] };
      expect(history).toMatchObject({ status: 'withdrawn', version: 2 });
      expect(history.events.map((e) => e['action'])).toEqual(['publish', 'correct', 'withdraw']);
      expect(
        (await post(`/v1/records/${String(body['sourceRecordId'])}/corrections`, corrected)).status,
      ).toBe(409);
      expect(
        (await post(`/v1/records/nope-${run}/withdrawal`, { reason: 'other', withdrawnOn: '2025-10-01' }))
          .status,
      ).toBe(404);
    });

    it('keeps the agency’s inbox of disputes and repair requests from the exchange, and publishes its answers in the record’s order', async () => {
      const body = exampleOf(sector, 0, `${run}-rights`);
      const sourceRecordId = String(body['sourceRecordId']);
      const submitted = await post('/v1/records', body);
      expect(submitted.status).toBe(202);
      const publishedId = String(((await submitted.json()) as Json)['eventId']);
      const record = (await (await get(`/v1/records/${sourceRecordId}`)).json()) as Json;
      const agencyId = String(record['agencyId']);
      const source = create(SourceRefSchema, { sector: name, agencyId, sourceRecordId });
      const disputeId = randomUUID();
      const requestId = randomUUID();
      const recordId = randomUUID();
      // As the exchange sends them, with a message it cannot read in between.
      await sendRequests([
        disputeFiledMessage(sector, { disputeId, recordId, agencyId, sourceRecordId }),
        { key: agencyId, value: Buffer.from('not a request'), headers: { ce_type: 'nonsense' } },
        {
          key: agencyId,
          value: Buffer.from(
            toBinary(
              RepairRequestedSchema,
              create(RepairRequestedSchema, {
                requestId,
                recordId,
                source,
                recordType: sector.recordTypes[0]!.recordType,
                version: 1,
                grounds: '已整改并履行全部义务',
                filedBy: 'subject',
                filedAt: timestampFromDate(new Date()),
              }),
            ),
          ),
          headers: requestHeaders(
            AgencyRequestType.repairRequested,
            RepairRequestedSchema.typeName,
            recordId,
          ),
        },
      ]);

      await expectEventually(async () => {
        const inbox = (await (await get('/v1/disputes')).json()) as { items: Json[] };
        expect(inbox.items.find((i) => i['id'] === disputeId)).toMatchObject({
          sourceRecordId,
          recordId,
          status: 'open',
          dueBy: '2099-12-31',
          overdue: false,
          grounds: '欠款已于判决后全部清偿',
        });
      });
      expect((await get(`/v1/disputes/${disputeId}`, otherSectorKey)).status).toBe(403);
      const dlq = await readTopic(kafka, Topics.deadLetters(Topics.requests(name)), {
        until: (m) => m.some((x) => x.value.toString() === 'not a request'),
      });
      expect(dlq.find((x) => x.value.toString() === 'not a request')?.headers['dlq_reason']).toContain(
        'header',
      );

      // "corrected" only once a correction was sent after the dispute.
      const early = await post(`/v1/disputes/${disputeId}/resolution`, { outcome: 'corrected' });
      expect(early.status).toBe(422);
      expect(((await early.json()) as { errors: Json[] }).errors[0]).toMatchObject({ field: 'outcome' });
      expect((await post(`/v1/disputes/${disputeId}/resolution`, { outcome: 'maybe' })).status).toBe(422);
      const corrected = { ...body, decidingAuthority: `${String(body['decidingAuthority'])}（复核）` };
      expect((await post(`/v1/records/${sourceRecordId}/corrections`, corrected)).status).toBe(202);
      const resolution = await post(`/v1/disputes/${disputeId}/resolution`, {
        outcome: 'corrected',
        note: '已更正',
      });
      expect(resolution.status).toBe(202);
      const resolved = (await resolution.json()) as Json;
      expect(resolved).toMatchObject({ id: disputeId, status: 'resolved', answer: 'corrected' });
      expect((await post(`/v1/disputes/${disputeId}/resolution`, { outcome: 'upheld' })).status).toBe(409);

      await expectEventually(async () => {
        const inbox = (await (await get('/v1/repairs')).json()) as { items: Json[] };
        expect(inbox.items.map((i) => i['id'])).toContain(requestId);
      });
      expect((await post(`/v1/repairs/${requestId}/decision`, { approved: 'yes' })).status).toBe(422);
      const decision = await post(`/v1/repairs/${requestId}/decision`, { approved: true, note: '同意修复' });
      expect(decision.status).toBe(202);
      const decided = (await decision.json()) as Json;

      const messages = await eventsOf((m) => withId(m, String(decided['eventId'])).length > 0);
      const published = withId(messages, publishedId)[0];
      const answer = withId(messages, String(resolved['eventId']))[0];
      expect(answer?.headers).toMatchObject({
        ce_type: AgencyRequestType.disputeResolved,
        ce_dataschema: DisputeResolutionSchema.typeName,
      });
      expect(fromBinary(DisputeResolutionSchema, answer!.value)).toMatchObject({
        disputeId,
        outcome: 'corrected',
        note: '已更正',
      });
      // On the record's own key, so it stays in order with the record's events.
      expect(answer?.key).toBe(published?.key);
      expect(answer?.partition).toBe(published?.partition);
      const repairAnswer = withId(messages, String(decided['eventId']))[0];
      expect(repairAnswer?.headers['ce_type']).toBe(AgencyRequestType.repairDecided);
      expect(fromBinary(RepairDecisionSchema, repairAnswer!.value)).toMatchObject({
        requestId,
        approved: true,
      });
      expect(
        ((await (await get('/v1/repairs?status=approved')).json()) as { items: Json[] }).items.map(
          (i) => i['id'],
        ),
      ).toContain(requestId);
    });

    it('refuses NUL and control characters by field name wherever text is stored or published, and publishes nothing it could not store', async () => {
      const body = exampleOf(sector, 0, `${run}-nul`);
      const sourceRecordId = String(body['sourceRecordId']);
      const subject = body['subject'] as Json;
      const withNul = { ...body, subject: { ...subject, name: `${String(subject['name'])}\u0000` } };
      const single = await post('/v1/records', withNul);
      expect(single.status).toBe(422);
      expect(await fieldsOf(single)).toEqual(['subject.name']);
      const array = (await (await post('/v1/records', [withNul])).json()) as { results: Receipt[] };
      expect(array.results[0]).toMatchObject({ httpStatus: 422, problems: [{ field: 'subject.name' }] });
      const bulk = await post(
        '/v1/records/bulk',
        `${JSON.stringify({ ...body, decisionNumber: 'a\u0001b' })}\n`,
        {
          type: 'application/x-ndjson',
        },
      );
      expect(JSON.parse((await bulk.text()).split('\n')[0]!)).toMatchObject({
        line: 1,
        httpStatus: 422,
        problems: [{ field: 'decisionNumber' }],
      });

      const submitted = await post('/v1/records', body);
      expect(submitted.status).toBe(202);
      const correction = await post(`/v1/records/${sourceRecordId}/corrections`, withNul);
      expect(correction.status).toBe(422);
      expect(await fieldsOf(correction)).toEqual(['subject.name']);
      const withdrawal = await post(`/v1/records/${sourceRecordId}/withdrawal`, {
        reason: 'other',
        note: '撤回\u007f',
        withdrawnOn: '2025-10-01',
      });
      expect(withdrawal.status).toBe(422);
      expect(await fieldsOf(withdrawal)).toEqual(['note']);
      const nulPath = await get(`/v1/records/${encodeURIComponent('a\u0000b')}`);
      expect(nulPath.status).toBe(422);
      expect(await fieldsOf(nulPath)).toEqual(['sourceRecordId']);

      const disputeId = await fileDispute(sourceRecordId);

      const nul = await post(`/v1/disputes/${disputeId}/resolution`, { outcome: 'upheld', note: 'a\u0000b' });
      expect(nul.status).toBe(422);
      expect(await fieldsOf(nul)).toEqual(['note']);
      const repairNote = await post(`/v1/repairs/${randomUUID()}/decision`, {
        approved: true,
        note: '\u0085',
      });
      expect(repairNote.status).toBe(422);
      expect(await fieldsOf(repairNote)).toEqual(['note']);
      for (const [path, answer] of [
        ['/v1/disputes/not-a-uuid/resolution', { outcome: 'upheld' }],
        ['/v1/repairs/1%00/decision', { approved: true }],
      ] as const) {
        const response = await post(path, answer);
        expect(response.status).toBe(422);
        expect(await fieldsOf(response)).toEqual(['id']);
      }
      expect(await fieldsOf(await get('/v1/disputes/not-a-uuid'))).toEqual(['id']);

      // Had the refused answer been published, it would be on the topic before this one.
      const resolution = await post(`/v1/disputes/${disputeId}/resolution`, {
        outcome: 'upheld',
        note: '维持\n原记录',
      });
      expect(resolution.status).toBe(202);
      const resolved = (await resolution.json()) as Json;
      const again = await post(`/v1/disputes/${disputeId}/resolution`, {
        outcome: 'upheld',
        note: '维持\n原记录',
      });
      expect(again.status).toBe(202);
      expect(((await again.json()) as Json)['eventId']).toBe(resolved['eventId']);
      const answers = await resolutionsOf(disputeId, String(resolved['eventId']));
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatchObject({ eventId: resolved['eventId'], note: '维持\n原记录' });
    });

    it('answers 20,000 levels of nesting with a field problem at once, over HTTP and on the submissions topic, and carries on', async () => {
      const depth = 20_000;
      const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const started = Date.now();
      const deep = await post(
        '/v1/records',
        `{"recordType":"${sector.recordTypes[0]!.recordType}","a":${nested}}`,
      );
      expect(deep.status).toBe(422);
      expect(await fieldsOf(deep)).toEqual([`a${'[0]'.repeat(8)}`]);
      const deepNote = await post(
        `/v1/disputes/${randomUUID()}/resolution`,
        `{"outcome":"upheld","note":${nested}}`,
      );
      expect(deepNote.status).toBe(422);
      expect(Date.now() - started).toBeLessThan(5_000);

      const producer = kafka.producer();
      await producer.connect();
      const ids = [`${run}-deep`, `${run}-after-deep`];
      await producer.send({
        topic: submissionsTopic(name),
        acks: -1,
        messages: [
          { key: 'a', ...signedSubmission(submissionsTopic(name), agencyKey, ids[0]!, nested) },
          {
            key: 'a',
            ...signedSubmission(
              submissionsTopic(name),
              agencyKey,
              ids[1]!,
              JSON.stringify(exampleOf(sector, 0, ids[1]!)),
            ),
          },
        ],
      });
      await producer.disconnect();
      const receipts = await receiptsFor(ids);
      expect(receipts.get(ids[0]!)).toMatchObject({
        status: 'refused',
        httpStatus: 422,
        problems: [{ field: '[0]'.repeat(9), detail: 'nesting deeper than 8 levels' }],
      });
      expect(receipts.get(ids[1]!)).toMatchObject({
        status: 'accepted',
        httpStatus: 202,
        sourceRecordId: ids[1],
      });
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });

    it('answers an array item by item (207), and streams NDJSON receipts line by line with a summary', async () => {
      const good = exampleOf(sector, 0, `${run}-array`);
      const array = await post('/v1/records', [good, { recordType: 'nonsense' }, good]);
      expect(array.status).toBe(207);
      const { results, summary } = (await array.json()) as { results: Json[]; summary: Json };
      expect(results.map((r) => r['status'])).toEqual(['accepted', 'refused', 'duplicate']);
      expect(results[2]?.['eventId']).toBe(results[0]?.['eventId']);
      expect(summary).toEqual({ total: 3, accepted: 1, refused: 1, duplicate: 1 });

      const lines = sector.recordTypes.map((_, i) =>
        JSON.stringify(exampleOf(sector, i, `${run}-bulk-${i}`)),
      );
      const ndjson = Buffer.concat([
        Buffer.from(`${lines.join('\n')}\n{not json\n`),
        Buffer.from([0xff, 0xfe, 0x0a]),
      ]);
      const bulk = await post('/v1/records/bulk', ndjson, { type: 'application/x-ndjson' });
      expect(bulk.status).toBe(200);
      const answers = (await bulk.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Json);
      expect(answers.slice(0, lines.length).every((a) => a['status'] === 'accepted')).toBe(true);
      expect(answers[lines.length]).toMatchObject({ line: lines.length + 1, status: 'refused' });
      expect(answers[lines.length + 1]).toMatchObject({
        line: lines.length + 2,
        status: 'refused',
        problems: [{ field: '', detail: 'line is not valid UTF-8' }],
      });
      expect(answers.at(-1)).toEqual({
        summary: { total: lines.length + 2, accepted: lines.length, refused: 2 },
      });
    });

    it('takes signed records from the agency submissions topic and answers each on the receipts topic; dead-letters unsigned and forged ones with their code', async () => {
      const producer = kafka.producer();
      await producer.connect();
      const topic = submissionsTopic(name);
      const ids = [
        `${run}-topic-ok`,
        `${run}-topic-bad`,
        `${run}-topic-nokey`,
        `${run}-topic-forged`,
        `${run}-topic-bearer`,
      ];
      const forged = signedSubmission(
        topic,
        agencyKey,
        ids[3]!,
        JSON.stringify(exampleOf(sector, 0, ids[3]!)),
      );
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: 'a',
            ...signedSubmission(topic, agencyKey, ids[0]!, JSON.stringify(exampleOf(sector, 0, ids[0]!))),
          },
          {
            key: 'a',
            ...signedSubmission(
              topic,
              agencyKey,
              ids[1]!,
              JSON.stringify({ ...exampleOf(sector, 0, ids[1]!), decisionDate: 'yesterday' }),
            ),
          },
          { key: 'a', value: JSON.stringify(exampleOf(sector, 0, ids[2]!)), headers: { ce_id: ids[2]! } },
          // Signed, then its payload changed in transit.
          { key: 'a', value: Buffer.concat([forged.value, Buffer.from(' ')]), headers: forged.headers },
          // The bearer key of before: readable by every reader of the topic, no longer taken.
          {
            key: 'a',
            value: JSON.stringify(exampleOf(sector, 0, ids[4]!)),
            headers: { authorization: `Bearer ${agencyKey}`, ce_id: ids[4]! },
          },
        ],
      });
      await producer.disconnect();
      const byId = await receiptsFor(ids);
      expect(byId.get(ids[0]!)).toMatchObject({
        status: 'accepted',
        httpStatus: 202,
        sourceRecordId: ids[0],
      });
      expect(byId.get(ids[0]!)?.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(byId.get(ids[1]!)).toMatchObject({
        status: 'refused',
        httpStatus: 422,
        problems: [expect.objectContaining({ field: 'decisionDate' })],
      });
      expect(byId.get(ids[2]!)).toMatchObject({ status: 'refused', httpStatus: 401 });
      expect(byId.get(ids[3]!)).toMatchObject({ status: 'refused', httpStatus: 401 });
      expect(byId.get(ids[4]!)).toMatchObject({ status: 'refused', httpStatus: 401 });
      const refused = ids.slice(2);
      const dead = (
        await readTopic(kafka, `${topic}.dlq`, {
          until: (m) => refused.every((id) => m.some((x) => x.headers['ce_id'] === id)),
          timeoutMs: 30_000,
        })
      ).filter((m) => refused.includes(m.headers['ce_id'] ?? ''));
      expect(Object.fromEntries(dead.map((m) => [m.headers['ce_id'], m.headers['dlq_code']]))).toEqual({
        [ids[2]!]: 'unsigned',
        [ids[3]!]: 'bad_signature',
        [ids[4]!]: 'unsigned',
      });
      // None of them became a record.
      for (const id of refused)
        expect(
          (await fetch(`${base}/v1/records/${id}`, { headers: { authorization: `Bearer ${agencyKey}` } }))
            .status,
        ).toBe(404);
    });

    it('refuses another sector’s agency and another sector’s record types with 403, and unknown keys with 401', async () => {
      expect(
        (await post('/v1/records', exampleOf(sector, 0, `${run}-x1`), { key: otherSectorKey })).status,
      ).toBe(403);
      const foreignType = name === 'tax' ? 'courts.dishonest_debtor' : 'tax.major_violation';
      const foreign = await post('/v1/records', {
        ...exampleOf(sector, 0, `${run}-x2`),
        recordType: foreignType,
      });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { detail: string }).detail).toContain(
        `belongs to sector ${foreignType.split('.')[0]}`,
      );
      expect(
        (await post('/v1/records', exampleOf(sector, 0, `${run}-x3`), { key: 'not-a-key' })).status,
      ).toBe(401);
    });

    it('tells an agency key who it is (GET /v1/whoami): its id and this sector', async () => {
      const response = await fetch(`${base}/v1/whoami`, {
        headers: { authorization: `Bearer ${agencyKey}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        role: 'agency',
        id: expect.stringMatching(/^[a-z0-9-]+$/) as unknown,
        sector: name,
        name: expect.any(String) as unknown,
      });
    });

    it('answers every route but health, metrics and the OpenAPI document 401 without a key and 403 with another sector’s', async () => {
      await expectEveryRouteGuarded(app, {
        open: SECTOR_OPEN_ROUTES,
        wrongScopeKeys: { 'another sector’s agency': otherSectorKey },
        minRoutes: 8,
      });
    });

    it('checks the key before reading the body: 8 MB or deep nesting without a key is answered 401 at once', async () => {
      const big = `{"recordType":"x","pad":"${'x'.repeat(8 * 1024 * 1024 - 100)}"}`;
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      for (const body of [big, deep]) {
        const started = Date.now();
        const response = await fetch(`${base}/v1/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(response.status).toBe(401);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      // The same oversized body with a key is still parsed, and refused by its size.
      expect((await post('/v1/records', `${big}${'x'.repeat(200)}`)).status).toBe(413);
    });

    it('gives every request 30 s for its headers, and lets only the bulk route run for 2 h', () => {
      const server = app.getHttpServer() as { headersTimeout: number; requestTimeout: number };
      // Node's server-wide limits; the per-route 30 s deadline is the middleware's (hardenHttp).
      expect(server.headersTimeout).toBe(30_000);
      expect(server.requestTimeout).toBe(2 * 60 * 60 * 1000);
    });

    it('answers a repeated query parameter 400 naming it', async () => {
      const response = await fetch(`${base}/v1/disputes?status=open&status=resolved`, {
        headers: { authorization: `Bearer ${agencyKey}` },
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        code: 'REPEATED_PARAMETER',
        errors: [{ field: 'status', detail: 'status must be given once' }],
      });
    });

    it('answers hostile input with a problem naming what is wrong, and stays up', async () => {
      expect((await post('/v1/records', 'x', { type: 'text/plain' })).status).toBe(415);
      expect((await post('/v1/records', '{"recordType": ')).status).toBe(400);
      expect((await post('/v1/records', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).status).toBe(400);
      const deep = await post(
        '/v1/records',
        `{"recordType":"x","n":1e400,"a":${'{"b":'.repeat(12)}1${'}'.repeat(12)}}`,
      );
      expect(deep.status).toBe(422);
      expect(((await deep.json()) as { errors: { detail: string }[] }).errors.map((e) => e.detail)).toEqual(
        expect.arrayContaining([
          'number out of range; send amounts and identifiers as strings',
          'nesting deeper than 8 levels',
        ]),
      );
      expect(
        (
          await post(
            '/v1/records',
            Array.from({ length: 1001 }, () => ({})),
          )
        ).status,
      ).toBe(413);
      expect(
        (
          await post('/v1/records', {
            ...exampleOf(sector, 0, `${run}-big`),
            decidingAuthority: 'x'.repeat(70_000),
          })
        ).status,
      ).toBe(413);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });

    it('publishes its OpenAPI document with every record type, its rules and a valid example', async () => {
      const response = await fetch(`${base}/openapi.json`);
      expect(response.status).toBe(200);
      const doc = (await response.json()) as {
        components: { schemas: Record<string, unknown> };
        paths: Record<
          string,
          Record<
            string,
            { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }
          >
        >;
      };
      for (const definition of sector.recordTypes) {
        expect(doc.components.schemas[definition.dto.name]).toBeDefined();
        const example =
          doc.paths['/v1/records']?.['post']?.requestBody?.content['application/json']?.examples?.[
            definition.recordType
          ];
        expect(example?.value).toEqual(definition.example);
      }
    });

    it('documents every route it serves in its OpenAPI document (health, metrics and the document aside)', async () => {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Record<string, unknown>;
      expect(openApiRoutes(app)).toEqual(
        expect.arrayContaining([{ method: 'post', path: '/v1/disputes/{id}/resolution' }]),
      );
      expect(undocumentedRoutes(app, doc, NOT_API_PATHS)).toEqual([]);
    });

    it('answers 429 past the agency rate limit', async () => {
      const limited = await createSectorApp(sector, config({ RATE_LIMIT_PER_MINUTE: '2' }));
      await limited.listen(0, '127.0.0.1');
      try {
        const url = await limited.getUrl();
        const statuses = [];
        for (let i = 0; i < 3; i++) {
          statuses.push(
            (await fetch(`${url}/v1/records/none`, { headers: { authorization: `Bearer ${agencyKey}` } }))
              .status,
          );
        }
        expect(statuses).toEqual([404, 404, 429]);
      } finally {
        await limited.close();
      }
    });

    it('answers 503 with Retry-After past MAX_IN_FLIGHT_REQUESTS while health still answers, and takes requests again once those end', async () => {
      const limited = await createSectorApp(sector, config({ MAX_IN_FLIGHT_REQUESTS: '2' }));
      await limited.listen(0, '127.0.0.1');
      const url = new URL(await limited.getUrl());
      // Two NDJSON uploads whose bodies stay open: two requests in progress until they are ended.
      const uploads = [0, 1].map(() => {
        const request = http.request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/v1/records/bulk',
          headers: { authorization: `Bearer ${agencyKey}`, 'content-type': 'application/x-ndjson' },
        });
        const answered = new Promise<number>((resolve, reject) => {
          request.on('response', (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode ?? 0));
          });
          request.on('error', reject);
        });
        // Handled here too: a failing test destroys the uploads, and their rejection is no news then.
        answered.catch(() => undefined);
        request.flushHeaders();
        return { request, answered };
      });
      try {
        const overloaded = await expectEventually(async () => {
          const r = await fetch(`${url.origin}/v1/records/none`, {
            headers: { authorization: `Bearer ${agencyKey}` },
          });
          expect(r.status).toBe(503);
          return r;
        });
        expect(overloaded.headers.get('retry-after')).toBe('1');
        expect(await overloaded.json()).toMatchObject({
          code: 'OVERLOADED',
          detail: '2 requests are already in progress; nothing was accepted, retry in 1 s',
        });
        expect((await fetch(`${url.origin}/health/live`)).status).toBe(200);

        for (const u of uploads) u.request.end();
        expect(await Promise.all(uploads.map((u) => u.answered))).toEqual([200, 200]);
        await expectEventually(async () =>
          expect(
            (
              await fetch(`${url.origin}/v1/records/none`, {
                headers: { authorization: `Bearer ${agencyKey}` },
              })
            ).status,
          ).toBe(404),
        );
      } finally {
        for (const u of uploads) u.request.destroy();
        await limited.close();
      }
    });

    it('never publishes a record after its withdrawal: a 503, a withdrawal, then the same record again is refused 409', async () => {
      // Given a record answered 503 (Kafka did not acknowledge it: it may or may not be on the topic)
      const body = exampleOf(sector, 0, `${run}-withdrawn-after-503`);
      const id = String(body['sourceRecordId']);
      const broken = await sectorAppWithoutBroker(sector, config());
      try {
        const lost = await fetch(`${await broken.getUrl()}/v1/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${agencyKey}` },
          body: JSON.stringify(body),
        });
        expect(lost.status).toBe(503);
      } finally {
        await broken.close();
      }
      const history = (await (await get(`/v1/records/${id}`)).json()) as { events: Json[] };
      const reserved = String(history.events[0]?.['eventId']);

      // When the agency withdraws it, and later sends the record again
      const withdrawal = await post(`/v1/records/${id}/withdrawal`, {
        reason: 'published_in_error',
        withdrawnOn: '2025-10-01',
      });
      expect(withdrawal.status).toBe(202);
      const withdrawalId = String(((await withdrawal.json()) as Json)['eventId']);
      const again = await post('/v1/records', body);

      // Then the record is refused as withdrawn, and nothing of it follows the withdrawal on the
      // topic (a later record of the same subject, on the same partition, shows how far was read)
      expect(again.status).toBe(409);
      expect(await fieldsOf(again)).toEqual(['sourceRecordId']);
      const marker = await post('/v1/records', exampleOf(sector, 0, `${run}-after-withdrawal`));
      expect(marker.status).toBe(202);
      const markerId = String(((await marker.json()) as Json)['eventId']);
      const messages = await eventsOf((m) => withId(m, markerId).length > 0);
      const [withdrawn] = withId(messages, withdrawalId);
      expect(withdrawn).toBeDefined();
      const after = messages.filter(
        (m) => m.partition === withdrawn!.partition && BigInt(m.offset) > BigInt(withdrawn!.offset),
      );
      expect(after.map((m) => m.headers['ce_id'])).not.toContain(reserved);
      expect(withId(after, markerId)).toHaveLength(1);
    });

    it('answers 503 with Retry-After and claims nothing when Kafka does not acknowledge', async () => {
      const broken = await sectorAppWithoutBroker(sector, config());
      try {
        const url = await broken.getUrl();
        const body = exampleOf(sector, 0, `${run}-unavailable`);
        const response = await fetch(`${url}/v1/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${agencyKey}` },
          body: JSON.stringify(body),
        });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        // Sent again once Kafka is back, the record is accepted under the event id reserved the first time.
        const retried = await post('/v1/records', body);
        expect(retried.status).toBe(202);

        // An answer is stored before it is published: Kafka not acknowledging it is a 503, the
        // dispute stays open, and the same answer sent again is published once, under one event id.
        const disputeId = await fileDispute(String(body['sourceRecordId']));
        const answer = { outcome: 'upheld', note: '维持' };
        const lost = await fetch(`${url}/v1/disputes/${disputeId}/resolution`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${agencyKey}` },
          body: JSON.stringify(answer),
        });
        expect(lost.status).toBe(503);
        expect(((await (await get(`/v1/disputes/${disputeId}`)).json()) as Json)['status']).toBe('open');
        // A different answer could contradict the one Kafka may have taken without acknowledging it.
        const other = await post(`/v1/disputes/${disputeId}/resolution`, { outcome: 'upheld', note: '改' });
        expect(other.status).toBe(409);
        const resolution = await post(`/v1/disputes/${disputeId}/resolution`, answer);
        expect(resolution.status).toBe(202);
        const resolved = (await resolution.json()) as Json;
        expect(resolved).toMatchObject({ status: 'resolved', answer: 'upheld' });
        const answers = await resolutionsOf(disputeId, String(resolved['eventId']));
        expect(answers.map((a) => a.eventId)).toEqual([resolved['eventId']]);
      } finally {
        await broken.close();
      }
    });
  });
}
