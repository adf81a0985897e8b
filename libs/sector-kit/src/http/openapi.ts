import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
// class-transformer keeps @Type metadata in this module-level store; the schema builder needs it to follow nested DTOs.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { WithdrawalDto } from '../intake/withdrawal.dto.js';
import type { SectorDefinition } from '../record-type.js';

type Schema = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, examples?: Record<string, { summary: string; value: unknown }>) => ({
  'application/json': { schema, ...(examples ? { examples } : {}) },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/**
 * The service's OpenAPI 3.1 document, built from the same class-validator rules that check the
 * records, so the documented fields and the enforced ones cannot drift apart.
 */
export function buildOpenApi(sector: SectorDefinition): Schema {
  const all = validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage as never,
    refPointerPrefix: '#/components/schemas/',
  }) as Record<string, Schema>;
  const names = new Set<string>();
  const collect = (name: string) => {
    if (names.has(name)) return;
    names.add(name);
    for (const [, target] of JSON.stringify(all[name] ?? {}).matchAll(/#\/components\/schemas\/(\w+)/g))
      if (target) collect(target);
  };
  [WithdrawalDto, ...sector.recordTypes.map((d) => d.dto)].forEach((dto) => collect(dto.name));
  const schemas: Record<string, Schema> = Object.fromEntries(
    [...names].filter((n) => all[n]).map((n) => [n, all[n]!]),
  );
  const subject = schemas['SubjectDto'];
  if (subject) {
    (subject['properties'] as Record<string, Schema>)['idNumber'] = {
      type: 'string',
      description:
        'Unified social credit code (GB 32100, check character verified) for organisations; resident identity number (GB 11643) for natural persons. Spaces, hyphens, full-width characters and a lower-case x are normalised first.',
    };
  }
  const records = sector.recordTypes.map((d) => ref(d.dto.name));
  const examples = Object.fromEntries(
    sector.recordTypes.map((d) => [d.recordType, { summary: d.description, value: d.example }]),
  );
  const receipt = ref('Receipt');
  const auth = [{ agencyKey: [] }];
  return {
    openapi: '3.1.0',
    info: {
      title: `Credit information exchange: ${sector.sector} sector service`,
      version: '1',
      description: `Agencies of the ${sector.sector} sector publish their records here, once. Each record is validated, published to Kafka (credit.${sector.sector}.events.v1) with acks=all and answered with a receipt only after the broker acknowledged it. Record types: ${sector.recordTypes.map((d) => `${d.recordType} (${d.description})`).join('; ')}.`,
    },
    servers: [{ url: `http://127.0.0.1:${sector.defaultPort}` }],
    components: {
      securitySchemes: {
        agencyKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'The agency key; each key is bound to one agency of one sector.',
        },
      },
      schemas: {
        ...schemas,
        Receipt: {
          type: 'object',
          required: ['status', 'httpStatus', 'sourceRecordId'],
          properties: {
            status: {
              enum: ['accepted', 'duplicate', 'refused', 'conflict', 'forbidden', 'not_found', 'too_large'],
            },
            httpStatus: { type: 'integer' },
            sourceRecordId: { type: ['string', 'null'] },
            recordType: { type: 'string' },
            action: { enum: ['publish', 'correct', 'withdraw'] },
            version: { type: 'integer' },
            eventId: { type: 'string', format: 'uuid' },
            topic: { type: 'string' },
            partition: { type: 'integer' },
            offset: { type: 'string' },
            receivedAt: { type: 'string', format: 'date-time' },
            acceptedAt: { type: 'string', format: 'date-time' },
            problems: { type: 'array', items: ref('FieldProblem') },
          },
        },
        FieldProblem: {
          type: 'object',
          required: ['field', 'detail'],
          properties: { field: { type: 'string' }, detail: { type: 'string' } },
        },
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            code: { type: 'string' },
            errors: { type: 'array', items: ref('FieldProblem') },
          },
        },
      },
    },
    security: auth,
    paths: {
      '/v1/records': {
        post: {
          summary: 'Publish one record, or an array of records answered item by item',
          requestBody: {
            required: true,
            content: json(
              { oneOf: [...records, { type: 'array', maxItems: 1000, items: { oneOf: records } }] },
              examples,
            ),
          },
          responses: {
            202: { description: 'Accepted: durably in Kafka', content: json(receipt) },
            200: {
              description: 'The same record was already accepted: its original receipt',
              content: json(receipt),
            },
            207: {
              description: 'An array: one receipt per item, in order',
              content: json({
                type: 'object',
                properties: { results: { type: 'array', items: receipt }, summary: { type: 'object' } },
              }),
            },
            400: problem('Malformed JSON or invalid UTF-8'),
            401: problem('Missing or unknown agency key'),
            403: problem('The agency or the record type belongs to another sector'),
            409: problem('The record was already published with different content; send a correction'),
            413: problem('Too many records, or a record larger than 64 KiB'),
            415: problem('Content-Type is not application/json'),
            422: problem('Invalid fields, each named in `errors`'),
            429: problem('Rate limit of the agency; see Retry-After'),
            503: problem('Kafka did not acknowledge; nothing was accepted; see Retry-After'),
          },
        },
      },
      '/v1/records/bulk': {
        post: {
          summary:
            'Publish records as NDJSON (one record per line), streamed; answered with one receipt per line and a summary line',
          requestBody: {
            required: true,
            content: { 'application/x-ndjson': { schema: { type: 'string' } } },
          },
          responses: {
            200: {
              description: 'NDJSON: `{"line": n, ...Receipt}` per input line, then `{"summary": {...}}`',
              content: { 'application/x-ndjson': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/v1/records/{sourceRecordId}': {
        get: {
          summary: 'The record as the agency published it: status, version and every event sent for it',
          parameters: [{ name: 'sourceRecordId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'The record history' },
            404: problem('No such record of this agency'),
          },
        },
      },
      '/v1/records/{sourceRecordId}/corrections': {
        post: {
          summary:
            'A corrected version of the record (the whole record, as first published, with the corrected facts)',
          parameters: [{ name: 'sourceRecordId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json({ oneOf: records }) },
          responses: {
            202: { description: 'Version n+1 accepted', content: json(receipt) },
            200: { description: 'Identical to the current version', content: json(receipt) },
            404: problem('No such record'),
            409: problem('The record was withdrawn'),
            422: problem('Invalid fields'),
          },
        },
      },
      '/v1/records/{sourceRecordId}/withdrawal': {
        post: {
          summary: 'Withdraw the record (decision revoked, obligation fulfilled, published in error)',
          parameters: [{ name: 'sourceRecordId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json(ref(WithdrawalDto.name)) },
          responses: {
            202: { description: 'Withdrawal accepted', content: json(receipt) },
            200: { description: 'Already withdrawn', content: json(receipt) },
            404: problem('No such record'),
          },
        },
      },
    },
  };
}
