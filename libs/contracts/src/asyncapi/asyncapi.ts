import type { DescMessage } from '@bufbuild/protobuf';
import {
  AgencyRequestType,
  CE_SPEC_VERSION,
  CeHeader,
  CreditEventType,
  FEED_ACK_TYPE,
  FEED_RESYNC_HEADER,
  PROTOBUF_CONTENT_TYPE,
} from '../cloudevents.js';
import {
  ProcessingOutcomeSchema,
  RecordWithdrawalSchema,
  SubmissionReceiptSchema,
} from '../gen/cie/common/v1/common_pb.js';
import { file_cie_courts_v1_consumption_restriction } from '../gen/cie/courts/v1/consumption_restriction_pb.js';
import { file_cie_courts_v1_dishonest_debtor } from '../gen/cie/courts/v1/dishonest_debtor_pb.js';
import { FeedAckSchema, FeedEventSchema } from '../gen/cie/credit/v1/credit_record_pb.js';
import {
  DisputeFiledSchema,
  DisputeResolutionSchema,
  ExpiryDueSchema,
  PolicyChangedSchema,
  RepairDecisionSchema,
  RepairRequestedSchema,
} from '../gen/cie/credit/v1/requests_pb.js';
import { MeasureTaskSchema, TaskAnswerSchema } from '../gen/cie/credit/v1/measures_pb.js';
import { file_cie_ecommerce_v1_platform_violation } from '../gen/cie/ecommerce/v1/platform_violation_pb.js';
import { file_cie_procurement_v1_supplier_misconduct } from '../gen/cie/procurement/v1/supplier_misconduct_pb.js';
import { file_cie_tax_v1_credit_rating } from '../gen/cie/tax/v1/credit_rating_pb.js';
import { file_cie_tax_v1_major_violation } from '../gen/cie/tax/v1/major_violation_pb.js';
import { type Sector, SECTORS, Topics } from '../topics.js';
import { type JsonSchema, messageJsonSchemas, schemaRef } from './json-schema.js';

/** Every topic is created with this many partitions unless the code says otherwise (ensureTopics). */
const DEFAULT_PARTITIONS = 3;
const SUBSCRIBER = '{subscriber}';
const SUBMISSION = 'AgencySubmission';
const DEAD_LETTER = 'DeadLetter';

/** How a message's headers are filled in: full CloudEvents, or only the payload's type (answers). */
type HeaderKind = 'cloudevents' | 'feed-cloudevents' | 'signed-cloudevents' | 'dataschema' | 'submission';

interface ChannelSpec {
  id: string;
  address: string;
  description: string;
  /** What the Kafka message key is. */
  key: string;
  producer: string;
  consumer: string;
  /** Protobuf messages, or the JSON record of an agency submission. */
  messages: readonly DescMessage[] | typeof SUBMISSION;
  headers: HeaderKind;
  partitions?: number;
  /** The consumer dead-letters what it cannot process on `<address>.dlq`. */
  deadLetters: boolean;
}

/** The files whose messages travel on the sector topics. */
const SECTOR_FILES = [
  file_cie_tax_v1_credit_rating,
  file_cie_tax_v1_major_violation,
  file_cie_procurement_v1_supplier_misconduct,
  file_cie_courts_v1_dishonest_debtor,
  file_cie_courts_v1_consumption_restriction,
  file_cie_ecommerce_v1_platform_violation,
];

/** A sector's record events: by convention the `…Event` messages of package cie.<sector>.v1. */
function recordEvents(sector: Sector): DescMessage[] {
  const out: DescMessage[] = [];
  for (const file of SECTOR_FILES)
    for (const message of file.messages)
      if (message.typeName.startsWith(`cie.${sector}.v1.`) && message.name.endsWith('Event'))
        out.push(message);
  return out.sort((a, b) => a.typeName.localeCompare(b.typeName));
}

/** The ce_type values each message travels with. */
const EVENT_TYPES: Record<string, readonly string[]> = {
  [RecordWithdrawalSchema.typeName]: [CreditEventType.withdrawn],
  [DisputeResolutionSchema.typeName]: [AgencyRequestType.disputeResolved],
  [RepairDecisionSchema.typeName]: [AgencyRequestType.repairDecided],
  [DisputeFiledSchema.typeName]: [AgencyRequestType.disputeFiled],
  [RepairRequestedSchema.typeName]: [AgencyRequestType.repairRequested],
  [ExpiryDueSchema.typeName]: [AgencyRequestType.expiryDue],
  [PolicyChangedSchema.typeName]: [AgencyRequestType.policyChanged],
  [FeedEventSchema.typeName]: Object.values(CreditEventType),
  [FeedAckSchema.typeName]: [FEED_ACK_TYPE],
  [MeasureTaskSchema.typeName]: [AgencyRequestType.measureTask],
  [TaskAnswerSchema.typeName]: [AgencyRequestType.taskAnswered],
};
const eventTypesOf = (message: DescMessage): readonly string[] =>
  EVENT_TYPES[message.typeName] ?? [CreditEventType.published, CreditEventType.corrected];

function sectorChannels(sector: Sector): ChannelSpec[] {
  const service = `${sector} sector service`;
  return [
    {
      id: `${sector}.submissions`,
      address: Topics.agencySubmissions(sector),
      description: `Records an agency of the ${sector} sector submits over Kafka, as JSON in the format of POST /v1/records; each is answered on ${Topics.agencyReceipts(sector)}.`,
      key: 'Chosen by the agency (the service does not read it); records with one key keep their order.',
      producer: `agencies of the ${sector} sector`,
      consumer: `${service} (group ${sector}-submissions)`,
      messages: SUBMISSION,
      headers: 'submission',
      deadLetters: true,
    },
    {
      id: `${sector}.receipts`,
      address: Topics.agencyReceipts(sector),
      description: `One receipt per submission read from ${Topics.agencySubmissions(sector)}, with the same meaning as the HTTP receipt.`,
      key: 'The agency id the receipt is for.',
      producer: service,
      consumer: `agencies of the ${sector} sector`,
      messages: [SubmissionReceiptSchema],
      headers: 'dataschema',
      deadLetters: false,
    },
    {
      id: `${sector}.events`,
      address: Topics.sectorEvents(sector),
      description: `Every record of the ${sector} sector, its corrections and withdrawals, and the agencies' answers to disputes, repair requests and measure tasks, in the subject's order.`,
      key: "SHA-256 of the subject's normalised identity number (also ce_subject): a subject's events stay in order, and no clear resident id is in keys or headers.",
      producer: service,
      consumer: 'exchange (group exchange, exactly once into PostgreSQL)',
      messages: [
        ...recordEvents(sector),
        RecordWithdrawalSchema,
        DisputeResolutionSchema,
        RepairDecisionSchema,
        TaskAnswerSchema,
      ],
      headers: 'cloudevents',
      partitions: 3,
      deadLetters: true,
    },
    {
      id: `${sector}.outcomes`,
      address: Topics.outcomes(sector),
      description: `What the exchange did with each event of ${Topics.sectorEvents(sector)}, so the sector service can answer GET /v1/records/{sourceRecordId} without calling the exchange.`,
      key: 'The key of the sector event it answers (the subject digest).',
      producer: 'exchange',
      consumer: `${service} (group ${sector}-outcomes)`,
      messages: [ProcessingOutcomeSchema],
      headers: 'dataschema',
      deadLetters: true,
    },
    {
      id: `${sector}.requests`,
      address: Topics.requests(sector),
      description: `Disputes and repair requests about records of the ${sector} sector, for the owning agency, and the measure tasks (apply, lift) of the memoranda for the sector's implementing agencies; the answers come back on ${Topics.sectorEvents(sector)}.`,
      key: 'The owning or implementing agency id.',
      producer: 'exchange',
      consumer: `${service} (group ${sector}-requests)`,
      messages: [DisputeFiledSchema, RepairRequestedSchema, MeasureTaskSchema],
      headers: 'cloudevents',
      deadLetters: true,
    },
  ];
}

const CHANNELS: readonly ChannelSpec[] = [
  ...SECTORS.flatMap(sectorChannels),
  {
    id: 'exchange.commands',
    address: Topics.exchangeCommands,
    description:
      "The exchange's own lifecycle work (a dispute or repair request filed through its API, a disclosure period that ended, a new subscriber policy), processed exactly once by the same pipeline as sector events whichever instance took the request.",
    key: 'The record id (ExpiryDue, DisputeFiled, RepairRequested, TaskAnswer) or the policy document SHA-256 (PolicyChanged).',
    producer: 'exchange',
    consumer: 'exchange (group exchange)',
    messages: [
      DisputeFiledSchema,
      RepairRequestedSchema,
      ExpiryDueSchema,
      PolicyChangedSchema,
      TaskAnswerSchema,
    ],
    headers: 'cloudevents',
    deadLetters: true,
  },
  {
    id: 'feed',
    address: Topics.feed(SUBSCRIBER),
    description:
      "One subscriber's feed: the records it is entitled to, in its own view (redacted), every later change to them, and the measure tasks (credit.measure.task) the memoranda give the subscriber; readers dispatch on ce_type.",
    key: "The subject's id for this subscriber (a natural person's pseudonym derived for it, see ce_pseudonymscheme), so a subject's events stay in order.",
    producer: 'exchange',
    consumer: 'the subscriber (the reference platform: group regional-platform.<subscriber>)',
    messages: [FeedEventSchema, MeasureTaskSchema],
    headers: 'feed-cloudevents',
    deadLetters: true,
  },
  {
    id: 'feed-acks',
    address: Topics.feedAcks,
    description:
      'Subscribers confirm that they acted on a withdrawn, expired or repaired feed event (the record is deleted or no longer disclosed).',
    key: 'The subscriber id.',
    producer: 'subscribers',
    consumer: 'exchange',
    messages: [FeedAckSchema],
    headers: 'signed-cloudevents',
    deadLetters: true,
  },
];

const traceparent: JsonSchema = {
  type: 'string',
  description: 'W3C trace context of the operation that produced the message.',
  pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
};

const ceHeaders = (message: DescMessage): JsonSchema => ({
  type: 'object',
  description:
    'CloudEvents 1.0 Kafka binding, binary content mode: the context in headers, the bare protobuf value.',
  required: [
    CeHeader.specversion,
    CeHeader.id,
    CeHeader.source,
    CeHeader.type,
    CeHeader.time,
    CeHeader.subject,
    CeHeader.dataschema,
    CeHeader.contentType,
  ],
  properties: {
    [CeHeader.specversion]: { const: CE_SPEC_VERSION },
    [CeHeader.id]: { type: 'string', description: 'Unique event id; consumers deduplicate on it.' },
    [CeHeader.source]: { type: 'string', description: 'URI reference of the producer, e.g. /exchange.' },
    [CeHeader.type]: { enum: [...eventTypesOf(message)] },
    [CeHeader.time]: { type: 'string', format: 'date-time' },
    [CeHeader.subject]: { type: 'string', description: 'What the event is about (the message key, mostly).' },
    [CeHeader.dataschema]: { const: message.typeName },
    [CeHeader.contentType]: { const: PROTOBUF_CONTENT_TYPE },
    [CeHeader.traceparent]: traceparent,
  },
});

const signatureHeaders = {
  cie_signer: {
    type: 'string',
    description: 'Who signed: the subscriber or agency id whose public key verifies it.',
  },
  cie_signature: {
    type: 'string',
    description:
      'Base64 Ed25519 signature over "cie-signature-v1\\n<topic>\\n<ce_id>\\n<hex SHA-256 of the value>".',
  },
};

const signedCeHeaders = (message: DescMessage): JsonSchema => {
  const base = ceHeaders(message) as { required: string[]; properties: Record<string, JsonSchema> };
  return {
    ...base,
    description: `${String((base as JsonSchema)['description'])} Signed by its sender: the consumer takes the sender from the key that verifies, not from the payload.`,
    required: [...base.required, 'cie_signer', 'cie_signature'],
    properties: { ...base.properties, ...signatureHeaders },
  };
};

const feedCeHeaders = (message: DescMessage): JsonSchema => {
  const base = ceHeaders(message) as { required: string[]; properties: Record<string, JsonSchema> };
  return {
    ...base,
    required: [...base.required, 'ce_pseudonymscheme'],
    properties: {
      ...base.properties,
      ce_pseudonymscheme: {
        const: 'subscriber-v2',
        description:
          "What a natural person's ids in the message are: subscriber-v2, a pseudonym derived for this feed's subscriber (S + 32 hex). Absent on v1 messages (the exchange's canonical pseudonym, P + 32 hex). See the README, Feed pseudonyms.",
      },
      [FEED_RESYNC_HEADER]: {
        type: 'string',
        format: 'uuid',
        description:
          'Only on a message a resync sent again (POST /v1/subscribers/{id}/resync): the id of that resync. The rest (ce_id, ce_type, payload) is the delivery it repeats; a reader that has that ce_id already drops it.',
      },
    },
  };
};

const answerHeaders = (message: DescMessage): JsonSchema => ({
  type: 'object',
  required: [CeHeader.contentType, CeHeader.dataschema],
  properties: {
    [CeHeader.contentType]: { const: PROTOBUF_CONTENT_TYPE },
    [CeHeader.dataschema]: { const: message.typeName },
    [CeHeader.traceparent]: traceparent,
  },
});

const protobufMessage = (message: DescMessage, headers: HeaderKind, key: string): JsonSchema => ({
  name: message.name,
  title: message.typeName,
  summary: `Protobuf ${message.typeName} (proto/${message.file.name}.proto); ce_type ${headers === 'cloudevents' || headers === 'feed-cloudevents' || headers === 'signed-cloudevents' ? eventTypesOf(message).join(', ') : 'not set'}.`,
  contentType: PROTOBUF_CONTENT_TYPE,
  'x-protobuf-type': message.typeName,
  headers:
    headers === 'cloudevents'
      ? ceHeaders(message)
      : headers === 'feed-cloudevents'
        ? feedCeHeaders(message)
        : headers === 'signed-cloudevents'
          ? signedCeHeaders(message)
          : answerHeaders(message),
  payload: schemaRef(message.typeName),
  bindings: { kafka: { key: { type: 'string', description: key }, bindingVersion: '0.5.0' } },
});

const SUBMISSION_MESSAGE: JsonSchema = {
  name: SUBMISSION,
  title: 'An agency record, as JSON',
  summary:
    "The same JSON as POST /v1/records; each record type's fields are in the sector service's OpenAPI document (GET /openapi.json).",
  contentType: 'application/json',
  headers: {
    type: 'object',
    description:
      'Signed by the agency (its signingPublicKey in AGENCY_KEYS_FILE); no key travels in the headers. Unsigned or badly signed: refused and dead-lettered.',
    required: [CeHeader.id, 'cie_signer', 'cie_signature'],
    properties: {
      [CeHeader.id]: {
        type: 'string',
        description: 'The submission id the receipt carries; the signature covers it.',
      },
      ...signatureHeaders,
      [CeHeader.traceparent]: traceparent,
    },
  },
  payload: {
    type: 'object',
    required: ['recordType', 'sourceRecordId'],
    properties: { recordType: { type: 'string' }, sourceRecordId: { type: 'string' } },
  },
};

const DEAD_LETTER_MESSAGE: JsonSchema = {
  name: DEAD_LETTER,
  title: 'A message its consumer refused',
  summary:
    'The original key, value and headers unchanged, plus why and where it was read, so an operator can see why and replay it.',
  contentType: 'application/octet-stream',
  headers: {
    type: 'object',
    description: "The original message's headers, and these.",
    required: ['dlq_code', 'dlq_reason', 'dlq_source_topic', 'dlq_source_partition', 'dlq_source_offset'],
    properties: {
      dlq_code: { type: 'string', description: 'Refusal code, for metrics and queries.' },
      dlq_reason: { type: 'string', description: 'Why, for people.' },
      dlq_field: { type: 'string', description: 'The field at fault, when one is.' },
      dlq_source_topic: { type: 'string' },
      dlq_source_partition: { type: 'string', pattern: '^[0-9]+$' },
      dlq_source_offset: { type: 'string', pattern: '^[0-9]+$' },
    },
    additionalProperties: { type: 'string' },
  },
  payload: { type: 'string', format: 'binary', description: 'The refused value, byte for byte.' },
};

const messageIdsOf = (spec: ChannelSpec): string[] =>
  spec.messages === SUBMISSION ? [SUBMISSION] : spec.messages.map((m) => m.typeName);

/**
 * The AsyncAPI 3.0 document of every topic the services use: built from the topic registry, the
 * CloudEvents header names and the protobuf descriptors, so it cannot describe a topic or a field
 * the code does not have. `tools/contracts/asyncapi.mjs` writes it to libs/contracts/asyncapi.json.
 */
export function buildAsyncApi(): JsonSchema {
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {
    [SUBMISSION]: SUBMISSION_MESSAGE,
    [DEAD_LETTER]: DEAD_LETTER_MESSAGE,
  };
  const roots: DescMessage[] = [];
  const parameters = (address: string) =>
    address.includes(SUBSCRIBER)
      ? { parameters: { subscriber: { description: 'The subscriber id, e.g. beijing-platform.' } } }
      : {};
  const kafka = (partitions: number) => ({
    kafka: {
      partitions,
      // ensureTopics sets these on every topic it creates (KAFKA_TOPIC_* of the creating service).
      topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': 30 * 24 * 3_600_000 },
      'x-replication':
        'KAFKA_TOPIC_REPLICATION_FACTOR (unset: 3, or one per broker on a smaller cluster) and KAFKA_TOPIC_MIN_INSYNC_REPLICAS (unset: one less, at least 1); unclean leader election off',
      'x-retention': 'KAFKA_TOPIC_RETENTION_MS of the creating service, 30 days unless set',
      bindingVersion: '0.5.0',
    },
  });
  const addOperations = (channelId: string, ids: string[], producer: string, consumer: string) => {
    const refs = ids.map((id) => ({ $ref: `#/channels/${channelId}/messages/${id}` }));
    const channel = { $ref: `#/channels/${channelId}` };
    operations[`${channelId}.send`] = {
      action: 'send',
      channel,
      messages: refs,
      summary: `Produced by ${producer}`,
    };
    operations[`${channelId}.receive`] = {
      action: 'receive',
      channel,
      messages: refs,
      summary: `Consumed by ${consumer}`,
    };
  };

  for (const spec of CHANNELS) {
    const ids = messageIdsOf(spec);
    // Inline, not shared: one message type can have another key on another topic (DisputeFiled).
    const inline =
      spec.messages === SUBMISSION
        ? { [SUBMISSION]: { $ref: `#/components/messages/${SUBMISSION}` } }
        : Object.fromEntries(
            spec.messages.map((m) => [m.typeName, protobufMessage(m, spec.headers, spec.key)]),
          );
    if (spec.messages !== SUBMISSION) roots.push(...spec.messages);
    channels[spec.id] = {
      address: spec.address,
      title: spec.address,
      description: `${spec.description}\n\nKey: ${spec.key}\nProducer: ${spec.producer}. Consumer: ${spec.consumer}.`,
      ...parameters(spec.address),
      messages: inline,
      bindings: kafka(spec.partitions ?? DEFAULT_PARTITIONS),
    };
    addOperations(spec.id, ids, spec.producer, spec.consumer);
    if (!spec.deadLetters) continue;
    const dlq = `${spec.id}.dlq`;
    const consumer = spec.consumer.replace(/ \(.*\)$/, '');
    channels[dlq] = {
      address: Topics.deadLetters(spec.address),
      title: Topics.deadLetters(spec.address),
      description: `What the consumer of ${spec.address} could not process, with why; replayable.\n\nKey: the original key.\nProducer: ${consumer}. Consumer: operators (GET /v1/dead-letters on the exchange).`,
      ...parameters(spec.address),
      messages: { [DEAD_LETTER]: { $ref: `#/components/messages/${DEAD_LETTER}` } },
      bindings: kafka(DEFAULT_PARTITIONS),
    };
    addOperations(dlq, [DEAD_LETTER], consumer, 'operators');
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Credit information exchange: Kafka topics',
      version: '1',
      description:
        'Every topic of the exchange, the sector services and the subscribers. Values are protobuf messages (proto/, the source of truth; the payload schemas below are their proto3 JSON mapping) with CloudEvents binary-mode headers, except the JSON agency submissions and the dead letters, which keep the refused bytes. Generated from libs/contracts (topic registry, header names, descriptors): do not edit.',
    },
    defaultContentType: PROTOBUF_CONTENT_TYPE,
    channels,
    operations,
    components: { messages, schemas: messageJsonSchemas(roots) },
  };
}

/**
 * The id of the channel of the AsyncAPI document that describes a concrete topic name (a feed's
 * `{subscriber}` matches any subscriber id), or undefined: how services' tests check their topics.
 */
export function asyncApiChannelOf(topic: string): string | undefined {
  const channels = buildAsyncApi()['channels'] as Record<string, { address: string }>;
  const matches = (address: string) =>
    new RegExp(`^${address.replaceAll('.', '\\.').replaceAll(SUBSCRIBER, '[a-z0-9][a-z0-9-]*')}$`).test(
      topic,
    );
  return Object.entries(channels).find(([, channel]) => matches(channel.address))?.[0];
}
