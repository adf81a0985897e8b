import {
  dtoSchemas,
  jsonContent,
  type OpenApiSchema,
  pathParam,
  PROBLEM_SCHEMAS,
  problemResponse,
  queryParam,
  schemaRef,
} from '@cie/platform';
import { CheckRequestDto } from '../checks/dto/check-request.dto.js';
import { SubjectRequestDto } from '../lifecycle/subject-rights.controller.js';
import { TaskAnswerDto } from '../measures/tasks.controller.js';

type Role = 'operator' | 'subscriber' | 'subject-desk' | 'officer';

const uuid = (name: string) => pathParam(name, { type: 'string', format: 'uuid' });
const object = (description: string): OpenApiSchema => ({ type: 'object', description });

/** One operation: who may call it (the client key's role), what it takes and what it answers. */
function operation(
  summary: string,
  roles: readonly Role[],
  spec: {
    parameters?: OpenApiSchema[];
    body?: OpenApiSchema;
    ok: [number, string, OpenApiSchema?];
    errors?: Record<number, string>;
  },
): OpenApiSchema {
  const [status, description, schema] = spec.ok;
  return {
    summary,
    description: `Client roles: ${roles.join(', ')}.`,
    'x-roles': roles,
    ...(spec.parameters && { parameters: spec.parameters }),
    ...(spec.body && { requestBody: { required: true, content: jsonContent(spec.body) } }),
    responses: {
      [status]: { description, ...(schema && { content: jsonContent(schema) }) },
      401: problemResponse('Missing or unknown client key'),
      403: problemResponse("The client's role may not call this"),
      ...Object.fromEntries(
        Object.entries(spec.errors ?? {}).map(([code, text]) => [code, problemResponse(text)]),
      ),
    },
  };
}

/**
 * The exchange's OpenAPI 3.1 document: subjects' records and access reports, disputes and repair
 * requests, routing explanations and deliveries, the subscriber policy, dead letters and deletion
 * acknowledgements. Request bodies with a DTO are documented from its class-validator rules.
 */
export function buildExchangeOpenApi(port = 3000): OpenApiSchema {
  const subjectId = pathParam('id', {
    type: 'string',
    description: 'A unified social credit code, a resident identity number or a subject pseudonym',
  });
  const subjectRequest = schemaRef(SubjectRequestDto.name);
  const asOf = queryParam(
    'asOf',
    'A date (YYYY-MM-DD: the end of that day, China Standard Time) or a timestamp with its offset; default now',
  );
  const receiptNumber = (prefix: string) =>
    pathParam('number', { type: 'string', pattern: `^${prefix}-[0-9]{8}-[0-9]{6,}$` });
  const verified = object('{ receipt, signature, sha256, audit, verification: { valid, checks[] } }');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Credit information exchange: exchange',
      version: '1',
      description:
        'Subscribers query the subjects they are entitled to (redacted, purpose given, logged); subject desks file disputes and repair requests; operators explain routing, follow deliveries, manage the subscriber policy and replay dead letters. The Kafka side is described by libs/contracts/asyncapi.json.',
    },
    servers: [{ url: `http://127.0.0.1:${port}` }],
    components: {
      securitySchemes: {
        clientKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The client key; each is bound to one client (an operator, a subscriber, a subject desk or an implementing agency officer).',
        },
      },
      schemas: { ...dtoSchemas([SubjectRequestDto, CheckRequestDto, TaskAnswerDto]), ...PROBLEM_SCHEMAS },
    },
    security: [{ clientKey: [] }],
    paths: {
      '/v1/subjects/{id}/records': {
        get: operation("A subject's records, in the calling subscriber's view", ['subscriber'], {
          parameters: [
            subjectId,
            queryParam('purpose', 'Why the subscriber asks (logged with the query)', true),
            asOf,
          ],
          ok: [
            200,
            'The records the subscriber is entitled to, redacted; with asOf, the versions valid then',
            object('records of the subject'),
          ],
          errors: { 422: 'No purpose (at most 200 characters), or not a subject id' },
        }),
      },
      '/v1/subjects/{id}/pseudonym': {
        get: operation(
          "Migrating a feed consumer: the pseudonym the caller's feed now carries (subscriber-v2) for a person it named by a v1 pseudonym",
          ['subscriber'],
          {
            parameters: [pathParam('id', { type: 'string', description: 'A v1 (canonical) pseudonym, P…' })],
            ok: [200, 'The v1 and the current pseudonym', object('pseudonym mapping')],
            errors: {
              404: 'The caller was never sent a record about that subject',
              422: 'Not a v1 pseudonym',
            },
          },
        ),
      },
      '/v1/subjects/{id}/access-report': {
        get: operation('Who received and who queried the subject’s records', ['operator', 'subject-desk'], {
          parameters: [subjectId],
          ok: [200, 'Deliveries and queries', object('access report')],
          errors: { 422: 'Not a subject id' },
        }),
      },
      '/v1/disputes': {
        post: operation(
          'File a dispute (异议) about a record for its subject',
          ['operator', 'subject-desk'],
          {
            body: subjectRequest,
            ok: [
              202,
              'Filed: the record is flagged on every feed and the owning agency asked',
              object('dispute'),
            ],
            errors: {
              404: 'No such record',
              409: 'The record is no longer disclosed, or a dispute about it is already open',
              422: 'Invalid fields',
              503: 'Kafka did not take the command; nothing was filed',
            },
          },
        ),
        get: operation('Disputes by status and sector, with how many are overdue', ['operator'], {
          parameters: [
            queryParam('status', 'open, resolved or all'),
            queryParam('sector', 'tax, procurement, courts or ecommerce'),
            queryParam('overdue', 'true: only those past their due date'),
          ],
          ok: [200, 'The disputes', object('disputes and counts')],
          errors: { 422: 'Invalid filters' },
        }),
      },
      '/v1/disputes/{id}': {
        get: operation('One dispute and its state', ['operator', 'subject-desk'], {
          parameters: [uuid('id')],
          ok: [200, 'The dispute', object('dispute')],
          errors: { 400: 'Not a UUID', 404: 'No such dispute' },
        }),
      },
      '/v1/repairs': {
        post: operation(
          'File a credit repair request (信用修复) about a record',
          ['operator', 'subject-desk'],
          {
            body: subjectRequest,
            ok: [202, 'Filed: the owning agency is asked', object('repair request')],
            errors: {
              404: 'No such record',
              409: 'The record is no longer disclosed, or a repair request is already pending',
              422: 'Invalid fields, or the record is not repairable yet',
              503: 'Kafka did not take the command; nothing was filed',
            },
          },
        ),
      },
      '/v1/repairs/{id}': {
        get: operation('One repair request and its state', ['operator', 'subject-desk'], {
          parameters: [uuid('id')],
          ok: [200, 'The repair request', object('repair request')],
          errors: { 400: 'Not a UUID', 404: 'No such repair request' },
        }),
      },
      '/v1/routing/explain': {
        get: operation('Why a record went, or did not go, to a subscriber', ['operator', 'subscriber'], {
          parameters: [
            {
              ...queryParam('recordId', 'The exchange record id', true),
              schema: { type: 'string', format: 'uuid' },
            },
            queryParam('subscriber', 'The subscriber id', true),
          ],
          ok: [
            200,
            'Each rule applied with its reason, next to what the ledger says was sent',
            object('explanation'),
          ],
          errors: { 400: 'recordId is not a UUID', 404: 'No such record or subscriber' },
        }),
      },
      '/v1/records/{recordId}/deliveries': {
        get: operation('Where each version of a record went', ['operator'], {
          parameters: [uuid('recordId')],
          ok: [200, 'The deliveries per subscriber and version', object('deliveries')],
          errors: { 400: 'Not a UUID', 404: 'No such record' },
        }),
      },
      '/v1/policy': {
        get: operation('The subscriber policy in force and its history', ['operator'], {
          ok: [200, 'Version, subscribers and the last 100 versions', object('policy status')],
        }),
      },
      '/v1/policy/reload': {
        post: operation('Read the policy files now (they are also watched)', ['operator'], {
          ok: [200, 'The outcome: a new version, unchanged, or the file refused', object('reload outcome')],
        }),
      },
      '/v1/policy/what-if': {
        post: operation('What a draft policy would change over the records disclosed today', ['operator'], {
          body: object('{ subscribers, releaseRules }: the contents of the two policy files'),
          ok: [200, 'Deliveries gained and lost; nothing is changed', object('differences')],
          errors: { 422: 'The draft is not a valid policy' },
        }),
      },
      '/v1/dead-letters': {
        get: operation('Dead letters, newest first', ['operator'], {
          parameters: [
            queryParam('topic', 'Only those from this source topic'),
            queryParam('limit', 'At most this many (100)'),
          ],
          ok: [200, 'The dead letters with their reason and where they were read', object('dead letters')],
        }),
      },
      '/v1/dead-letters/{id}/replay': {
        post: operation('Send a dead letter back to its source topic', ['operator'], {
          parameters: [uuid('id')],
          ok: [202, 'Replayed', object('replay')],
          errors: { 400: 'Not a UUID', 404: 'No such dead letter' },
        }),
      },
      '/v1/checks': {
        post: operation(
          'Check subjects at the point of decision (1 to 1,000: 批量比对); the answer is a signed receipt',
          ['operator', 'subscriber', 'officer'],
          {
            body: schemaRef(CheckRequestDto.name),
            ok: [
              201,
              'Per subject hit, clear or indeterminate, with its entries, the measures for the scenario and the sources’ freshness; signed (Ed25519) and chained in the audit log',
              object('{ receipt, signature, sha256, audit }'),
            ],
            errors: {
              400: 'More than 1,000 subjects (field subjects)',
              422: 'Invalid fields, e.g. subjects[3] is not a subject id',
            },
          },
        ),
      },
      '/v1/checks/{number}': {
        get: operation(
          'A check receipt re-verified: signature, SHA-256 against its audit entry, the entry’s place in the chain',
          ['operator', 'subscriber', 'officer'],
          {
            parameters: [receiptNumber('CHK')],
            ok: [200, 'The receipt as stored and whether it verifies, with each check’s reason', verified],
            errors: { 404: 'No such receipt of this client' },
          },
        ),
      },
      '/v1/whoami': {
        get: {
          summary: "The caller's own identity: role, client id, and the subscriber or agency it acts for",
          description: 'Client roles: any (operator, subscriber, subject-desk, officer).',
          'x-roles': ['operator', 'subscriber', 'subject-desk', 'officer'],
          responses: {
            200: {
              description: 'Who the key belongs to',
              content: jsonContent({
                type: 'object',
                required: ['role', 'id', 'sector'],
                properties: {
                  role: { type: 'string', enum: ['operator', 'subscriber', 'subject-desk', 'officer'] },
                  id: { type: 'string', description: 'The client id' },
                  sector: {
                    type: 'null',
                    description: 'Exchange clients have none (an agency asks its sector service)',
                  },
                  subscriberId: { type: 'string', description: 'For a subscriber: the feed it acts for' },
                  agencyId: { type: 'string', description: 'For an officer: the agency it works for' },
                },
              }),
            },
            401: problemResponse('Missing or unknown client key'),
          },
        },
      },
      '/v1/signing-key': {
        get: {
          summary: 'The public key that verifies receipts and reports offline (open: it is public)',
          security: [],
          responses: {
            200: {
              description: 'Algorithm, key id and the SPKI PEM',
              content: jsonContent(object('{ algorithm, keyId, publicKeyPem }')),
            },
          },
        },
      },
      '/v1/subjects/{id}/report': {
        get: operation(
          'The credit report (信用报告) on a subject, in the caller’s view, numbered and signed',
          ['operator', 'subscriber', 'subject-desk'],
          {
            parameters: [
              subjectId,
              queryParam('format', 'json (default) or html: a printable page without external assets'),
              queryParam('purpose', 'Why the subscriber asks (required for subscribers)'),
            ],
            ok: [200, 'The report: sections of DESIGN §13, number, signature', object('signed report')],
            errors: { 422: 'Not a subject id, no purpose, or an unknown format' },
          },
        ),
      },
      '/v1/reports/{number}': {
        get: operation(
          'A credit report re-verified, like a check receipt',
          ['operator', 'subscriber', 'subject-desk'],
          {
            parameters: [receiptNumber('RPT')],
            ok: [200, 'The report as stored and whether it verifies', verified],
            errors: { 404: 'No such report of this client' },
          },
        ),
      },
      '/v1/lists': {
        get: operation(
          'The list types (black, red, watch) and their version',
          ['operator', 'subscriber', 'officer'],
          {
            ok: [
              200,
              'Each type with its sector, colour, title, legal basis and validity',
              object('list types'),
            ],
          },
        ),
      },
      '/v1/lists/{type}/entries': {
        get: operation(
          'A list’s entries in force now or as of a day; a subscriber sees only entries of records it is entitled to',
          ['operator', 'subscriber'],
          {
            parameters: [
              pathParam('type', {
                type: 'string',
                description: 'A list type id, e.g. courts.dishonest_debtors',
              }),
              asOf,
              queryParam('limit', 'At most this many (1 to 1000, default 100)'),
              queryParam('after', 'The entryId the previous page ended with (its next)'),
            ],
            ok: [200, 'The entries and the cursor of the next page', object('entries')],
            errors: { 404: 'No such list type', 422: 'Invalid asOf, limit or after' },
          },
        ),
      },
      '/v1/subscribers/{id}/holdings': {
        get: operation(
          'What a subscriber held at an instant, from the delivery ledger; a subscriber may ask only about itself',
          ['operator', 'subscriber'],
          {
            parameters: [pathParam('id', { type: 'string', description: 'The subscriber id' }), asOf],
            ok: [200, 'The records held then: version, last event, rule, when delivered', object('holdings')],
            errors: { 403: 'Another subscriber', 422: 'Invalid asOf' },
          },
        ),
      },
      '/v1/subscribers/{id}/resync': {
        post: operation(
          'Send a subscriber again, from the delivery ledger, the latest delivery of every record it holds now (after it was offline past its feed’s retention); marked ce_resync',
          ['operator'],
          {
            parameters: [pathParam('id', { type: 'string', description: 'The subscriber id' })],
            ok: [
              202,
              'Sent: the resync id and how many records',
              object('{ resyncId, subscriber, asOf, records }'),
            ],
            errors: {
              404: 'No such subscriber',
              503: 'Kafka did not take the messages; nothing was audited',
            },
          },
        ),
      },
      '/v1/deletion-acks': {
        get: operation('Outstanding deletion acknowledgements per subscriber', ['operator'], {
          ok: [
            200,
            'Per subscriber: how many, and the age of the oldest',
            object('outstanding per subscriber'),
          ],
        }),
      },
      '/v1/deletion-acks/{subscriber}': {
        get: operation(
          'The deletion events one subscriber has not acknowledged, oldest first',
          ['operator'],
          {
            parameters: [pathParam('subscriber')],
            ok: [200, 'The events', object('outstanding events')],
          },
        ),
      },
      '/v1/tasks': {
        get: operation(
          'Measure tasks (apply or lift a measure of a memorandum): a subscriber its own, an operator all',
          ['operator', 'subscriber'],
          {
            parameters: [
              queryParam('status', 'open (default), answered or all'),
              queryParam('overdue', 'true: only those past their deadline (working days)'),
              queryParam('implementer', 'Operators: one implementing agency or subscriber'),
            ],
            ok: [200, 'The tasks, with the count overdue', object('tasks')],
            errors: { 400: 'Unknown status' },
          },
        ),
      },
      '/v1/tasks/{id}': {
        get: operation('One measure task', ['operator', 'subscriber'], {
          parameters: [uuid('id')],
          ok: [200, 'The task', object('task')],
          errors: { 400: 'Not a UUID', 404: 'No such task for this caller' },
        }),
      },
      '/v1/tasks/{id}/answer': {
        post: operation(
          'Answer a task on the subscriber’s feed: acknowledged, applied, not_applicable (reasonCode) or declined (legalGround)',
          ['subscriber'],
          {
            parameters: [uuid('id')],
            body: schemaRef(TaskAnswerDto.name),
            ok: [202, 'Accepted: the exchange applies it exactly once', object('answer accepted')],
            errors: {
              400: 'Not a UUID',
              422: 'A field is missing or wrong (named), or the outcome does not fit the task',
              404: 'No such task for this subscriber',
              409: 'The task was already answered otherwise, or its entry ended',
              503: 'Kafka did not take the answer; nothing was sent',
            },
          },
        ),
      },
      '/v1/measures/statistics': {
        get: operation(
          'Feedback per memorandum, measure and agency: sent, acknowledged, applied, lifted, overdue, latencies',
          ['operator'],
          {
            ok: [200, 'One row per memorandum, measure and implementing agency', object('statistics')],
          },
        ),
      },
    },
  };
}
