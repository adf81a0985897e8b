import {
  dtoSchemas,
  jsonContent as json,
  type OpenApiSchema as Schema,
  pathParam,
  PROBLEM_SCHEMAS,
  problemResponse as problem,
  queryParam,
  schemaRef as ref,
} from '@cie/platform';
import { WithdrawalDto } from '../intake/withdrawal.dto.js';
import type { SectorDefinition } from '../record-type.js';
import { DisputeResolutionDto, RepairDecisionDto } from './agency-answers.dto.js';
import { TaskAnswerDto } from './task-answer.dto.js';

/**
 * The service's OpenAPI 3.1 document, built from the same class-validator rules that check the
 * records, so the documented fields and the enforced ones cannot drift apart.
 */
export function buildOpenApi(sector: SectorDefinition): Schema {
  const schemas = dtoSchemas([
    WithdrawalDto,
    DisputeResolutionDto,
    RepairDecisionDto,
    TaskAnswerDto,
    ...sector.recordTypes.map((d) => d.dto),
  ]);
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
        ...PROBLEM_SCHEMAS,
        AgencyRequest: AGENCY_REQUEST,
        Inbox: {
          type: 'object',
          required: ['items', 'count', 'overdue'],
          properties: {
            items: { type: 'array', items: ref('AgencyRequest') },
            count: { type: 'integer' },
            overdue: { type: 'integer', description: 'Open disputes past their due date' },
          },
        },
        MeasureTask: MEASURE_TASK,
        TaskInbox: {
          type: 'object',
          required: ['items', 'count', 'overdue'],
          properties: {
            items: { type: 'array', items: ref('MeasureTask') },
            count: { type: 'integer' },
            overdue: {
              type: 'integer',
              description: 'Tasks without a final answer past their due date (China Standard Time)',
            },
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
          parameters: [pathParam('sourceRecordId')],
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
          parameters: [pathParam('sourceRecordId')],
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
          parameters: [pathParam('sourceRecordId')],
          requestBody: { required: true, content: json(ref(WithdrawalDto.name)) },
          responses: {
            202: { description: 'Withdrawal accepted', content: json(receipt) },
            200: { description: 'Already withdrawn', content: json(receipt) },
            404: problem('No such record'),
          },
        },
      },
      ...agencyRequestPaths(),
      '/v1/whoami': {
        get: {
          summary: 'The calling agency: its id, sector and name',
          responses: {
            200: {
              description: 'Who the key belongs to (the shape of the exchange’s GET /v1/whoami)',
              content: json({
                type: 'object',
                required: ['role', 'id', 'sector', 'name'],
                properties: {
                  role: { const: 'agency' },
                  id: { type: 'string', description: 'The agency id' },
                  sector: { type: 'string' },
                  name: { type: 'string' },
                },
              }),
            },
            401: problem('Missing or unknown agency key'),
            403: problem('An agency of another sector'),
          },
        },
      },
      ...taskPaths(),
    },
  };
}

/** A dispute or repair request in the agency's inbox, as GET /v1/disputes and /v1/repairs list them. */
const AGENCY_REQUEST: Schema = {
  type: 'object',
  required: ['id', 'kind', 'recordId', 'sourceRecordId', 'recordType', 'version', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { enum: ['dispute', 'repair'] },
    recordId: { type: 'string', format: 'uuid', description: "The exchange's record id" },
    sourceRecordId: { type: 'string' },
    recordType: { type: 'string' },
    version: { type: 'integer', description: 'Version of the record the request was filed against' },
    grounds: { type: 'string' },
    filedBy: { type: 'string' },
    filedAt: { type: 'string', format: 'date-time' },
    dueBy: {
      type: ['string', 'null'],
      format: 'date',
      description: 'Disputes: the date it must be resolved by',
    },
    overdue: { type: 'boolean' },
    status: { enum: ['open', 'resolved', 'pending', 'approved', 'rejected'] },
    answer: { type: ['string', 'null'] },
    note: { type: ['string', 'null'] },
    answeredAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

/** The agency's inbox of disputes and repair requests about its records, and its answers. */
function agencyRequestPaths(): Record<string, Schema> {
  const id = pathParam('id', { type: 'string', format: 'uuid' });
  const answered = {
    type: 'object',
    allOf: [ref('AgencyRequest')],
    properties: {
      eventId: { type: 'string', format: 'uuid', description: 'The answer event on the sector topic' },
    },
  };
  const inbox = (what: string, statuses: string) => ({
    get: {
      summary: `${what} about the agency's records`,
      parameters: [queryParam('status', statuses)],
      responses: {
        200: { description: 'The inbox, oldest first (at most 1000)', content: json(ref('Inbox')) },
        422: problem('Unknown status'),
      },
    },
  });
  const one = (what: string) => ({
    get: {
      summary: `One ${what}`,
      parameters: [id],
      responses: {
        200: { description: `The ${what}`, content: json(ref('AgencyRequest')) },
        400: problem('The id is not a UUID'),
        404: problem(`No such ${what} for this agency`),
      },
    },
  });
  const answer = (summary: string, dto: string) => ({
    post: {
      summary,
      parameters: [id],
      requestBody: { required: true, content: json(ref(dto)) },
      responses: {
        202: { description: 'Answered: the answer is on the sector topic', content: json(answered) },
        404: problem('No such request for this agency'),
        409: problem('Already answered otherwise'),
        422: problem('Invalid fields'),
        503: problem('Kafka did not take the answer; it is kept: send the same answer again'),
      },
    },
  });
  return {
    '/v1/disputes': inbox('Disputes', 'open (default), resolved or all'),
    '/v1/disputes/{id}': one('dispute'),
    '/v1/disputes/{id}/resolution': answer(
      'Resolve a dispute: upheld, corrected (after sending the correction) or withdrawn',
      DisputeResolutionDto.name,
    ),
    '/v1/repairs': inbox('Credit repair requests', 'pending (default), approved, rejected or all'),
    '/v1/repairs/{id}': one('repair request'),
    '/v1/repairs/{id}/decision': answer('Approve or reject a credit repair request', RepairDecisionDto.name),
  };
}

/** A measure task in the agency's inbox (DESIGN §13), as GET /v1/tasks lists it. */
const MEASURE_TASK: Schema = {
  type: 'object',
  required: ['id', 'kind', 'status', 'state', 'overdue', 'measureId', 'subject', 'answers'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { enum: ['apply', 'lift'], description: 'apply: the entry became active; lift: it ended' },
    liftsTaskId: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'Lift tasks: the apply task lifted',
    },
    status: {
      enum: ['open', 'answered', 'cancelled'],
      description:
        'answered once the final answer is on the sector topic; cancelled when its lift task came first (the entry ended)',
    },
    state: { enum: ['delivered', 'acknowledged', 'applied', 'not_applicable', 'declined', 'cancelled'] },
    dueBy: { type: ['string', 'null'], format: 'date', description: 'Answer by this date (working days)' },
    overdue: { type: 'boolean' },
    entryId: { type: 'string', format: 'uuid' },
    listType: { type: 'string' },
    listColour: { enum: ['black', 'red', 'watch'] },
    memorandumId: { type: 'string' },
    documentNumber: { type: 'string' },
    measureId: { type: 'string' },
    measureText: { type: 'string' },
    legalBasis: { type: 'string' },
    mode: { enum: ['mandatory', 'discretionary'] },
    scenarios: { type: 'array', items: { type: 'string' } },
    targets: { type: 'array', items: { type: 'string' } },
    subject: {
      type: 'object',
      properties: { kind: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
    },
    recordId: { type: 'string' },
    listedAt: { type: ['string', 'null'], format: 'date-time' },
    appliesUntil: { type: ['string', 'null'], format: 'date' },
    endReason: { type: ['string', 'null'], description: 'Lift tasks: why the entry ended' },
    issuedAt: { type: 'string', format: 'date-time' },
    receivedAt: { type: 'string', format: 'date-time' },
    answers: {
      type: 'array',
      description: 'The answers on the sector topic, acknowledgement first',
      items: {
        type: 'object',
        properties: {
          outcome: { enum: ['acknowledged', 'applied', 'not_applicable', 'declined'] },
          reasonCode: { type: ['string', 'null'] },
          legalGround: { type: ['string', 'null'] },
          note: { type: ['string', 'null'] },
          answeredAt: { type: 'string', format: 'date-time' },
          eventId: { type: 'string', format: 'uuid' },
        },
      },
    },
  },
};

/** The agency's measure tasks and its answers to them. */
function taskPaths(): Record<string, Schema> {
  const id = pathParam('id', { type: 'string', format: 'uuid' });
  return {
    '/v1/tasks': {
      get: {
        summary: 'Measure tasks of the agency (apply or lift a joint measure on a listed subject)',
        parameters: [
          queryParam('status', 'open (default: no final answer yet), answered (or cancelled) or all'),
        ],
        responses: {
          200: { description: 'The tasks, oldest first (at most 1000)', content: json(ref('TaskInbox')) },
          422: problem('Unknown status'),
        },
      },
    },
    '/v1/tasks/{id}': {
      get: {
        summary: 'One measure task',
        parameters: [id],
        responses: {
          200: { description: 'The task and its answers', content: json(ref('MeasureTask')) },
          400: problem('The id is not a UUID'),
          404: problem('No such task for this agency'),
        },
      },
    },
    '/v1/tasks/{id}/answer': {
      post: {
        summary:
          'Answer a task: an apply task acknowledged, then applied, not_applicable (reasonCode) or declined (legalGround); a lift task acknowledged',
        parameters: [id],
        requestBody: { required: true, content: json(ref(TaskAnswerDto.name)) },
        responses: {
          202: {
            description: 'Answered: the TaskAnswer is on the sector topic',
            content: json({
              type: 'object',
              allOf: [ref('MeasureTask')],
              properties: {
                answer: { type: 'string' },
                eventId: {
                  type: 'string',
                  format: 'uuid',
                  description: 'The answer event on the sector topic',
                },
              },
            }),
          },
          404: problem('No such task for this agency'),
          409: problem('Answered otherwise already, the final answer is given, or the task was cancelled'),
          422: problem('Invalid fields, or an outcome the task does not take'),
          503: problem('Kafka did not take the answer; it is kept: send the same answer again'),
        },
      },
    },
  };
}
