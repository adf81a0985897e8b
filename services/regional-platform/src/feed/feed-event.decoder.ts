import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AgencyRequestType,
  type CloudEventContext,
  CreditEventType,
  DisclosureLevel,
  type FeedEvent,
  FeedEventSchema,
  type MeasureTask,
  MeasureTaskSchema,
  Polarity,
  RecordStatus,
  Severity,
  SubjectKind,
  TaskKind,
} from '@cie/contracts';
import { InvalidEnvelopeError, readCloudEvent } from '@cie/platform';
import type { IHeaders } from 'kafkajs';
import { type FeedEventIn, isDeletion } from '../domain/holding.js';
import type { MeasureTaskIn } from '../domain/measure-task.js';

/** Why a feed message was not applied: each becomes the `dlq_reason` of its dead letter. */
export enum FeedRejection {
  BAD_ENVELOPE = 'BAD_ENVELOPE',
  BAD_PAYLOAD = 'BAD_PAYLOAD',
  WRONG_SUBSCRIBER = 'WRONG_SUBSCRIBER',
  UNKNOWN_TYPE = 'UNKNOWN_TYPE',
  /** PostgreSQL refused the event's data (a data exception): retrying would fail the same way. */
  UNSTORABLE = 'UNSTORABLE',
}

export class FeedMessageRejected extends Error {
  override readonly name = 'FeedMessageRejected';
  constructor(
    readonly code: FeedRejection,
    message: string,
  ) {
    super(message);
  }
}

const EVENT_TYPES = new Set<string>(Object.values(CreditEventType));
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Versions are stored as PostgreSQL int. */
const MAX_VERSION = 2_147_483_647;

type FeedMessage = { value: Buffer | null; headers?: IHeaders };

/** What the feed carries: record events, and measure tasks for this subscriber (DESIGN §13). */
export type FeedItem = { kind: 'event'; event: FeedEventIn } | { kind: 'task'; task: MeasureTaskIn };

/** Decodes one feed message by its ce_type: a measure task, or else a record event. */
export function decodeFeedItem(message: FeedMessage, subscriberId: string): FeedItem {
  const ce = envelopeOf(message);
  return ce.type === AgencyRequestType.measureTask
    ? { kind: 'task', task: decodeTask(message, ce, subscriberId) }
    : { kind: 'event', event: decodeEvent(message, ce, subscriberId) };
}

/**
 * Decodes and checks one message of this subscriber's feed before any logic runs: CloudEvents headers,
 * the protobuf FeedEvent, and that headers and payload agree on id, type and subscriber. Throws
 * FeedMessageRejected naming what is wrong.
 */
export function decodeFeedMessage(message: FeedMessage, subscriberId: string): FeedEventIn {
  return decodeEvent(message, envelopeOf(message), subscriberId);
}

function envelopeOf(message: FeedMessage): CloudEventContext {
  try {
    return readCloudEvent(message.headers);
  } catch (error) {
    if (error instanceof InvalidEnvelopeError)
      throw new FeedMessageRejected(FeedRejection.BAD_ENVELOPE, error.message);
    throw error;
  }
}

/**
 * A MeasureTask for this subscriber: its envelope, its payload, that it names this subscriber as the
 * implementer, and the fields the platform needs to show it.
 */
function decodeTask(message: FeedMessage, ce: CloudEventContext, subscriberId: string): MeasureTaskIn {
  if (ce.dataschema !== MeasureTaskSchema.typeName)
    reject(
      FeedRejection.BAD_ENVELOPE,
      `ce_dataschema is ${ce.dataschema}, expected ${MeasureTaskSchema.typeName}`,
    );
  if (!message.value || message.value.length === 0)
    reject(FeedRejection.BAD_PAYLOAD, 'the message has no value');
  let t: MeasureTask;
  try {
    t = fromBinary(MeasureTaskSchema, message.value);
  } catch (error) {
    return reject(
      FeedRejection.BAD_PAYLOAD,
      `not a ${MeasureTaskSchema.typeName}: ${(error as Error).message}`,
    );
  }
  if (!t.taskId) reject(FeedRejection.BAD_PAYLOAD, 'task_id is missing');
  if (t.implementerId !== subscriberId)
    reject(
      FeedRejection.WRONG_SUBSCRIBER,
      `the task is for implementer "${t.implementerId}", this platform is ${subscriberId}`,
    );
  const kind = t.kind === TaskKind.APPLY ? 'apply' : t.kind === TaskKind.LIFT ? 'lift' : undefined;
  if (!kind) return reject(FeedRejection.BAD_PAYLOAD, 'kind must be TASK_KIND_APPLY or TASK_KIND_LIFT');
  if (!t.subjectId) reject(FeedRejection.BAD_PAYLOAD, 'subject_id is missing');
  for (const [field, value] of [
    ['due_by', t.dueBy],
    ['applies_until', t.appliesUntil],
  ] as const)
    if (value && !ISO_DATE.test(value))
      reject(FeedRejection.BAD_PAYLOAD, `${field} must be an ISO 8601 date`);
  const decoded: MeasureTaskIn = {
    taskId: t.taskId,
    eventId: ce.id,
    kind,
    liftsTaskId: t.liftsTaskId || null,
    entryId: t.entryId,
    listType: t.listType,
    listColour: t.listColour,
    memorandumId: t.memorandumId,
    documentNumber: t.documentNumber,
    measureId: t.measureId,
    measureText: t.measureText,
    legalBasis: t.legalBasis,
    mode: t.mode,
    scenarios: [...t.scenarios],
    targets: [...t.targets],
    subject: { kind: t.subjectKind, canonicalId: t.subjectId, name: t.subjectName },
    recordId: t.recordId,
    listedAt: t.listedAt ? timestampDate(t.listedAt) : null,
    appliesUntil: t.appliesUntil || null,
    dueBy: t.dueBy || null,
    issuedAt: t.issuedAt ? timestampDate(t.issuedAt) : ce.time,
    endReason: t.endReason,
    traceparent: ce.traceparent ?? null,
  };
  if (hasNul(decoded)) reject(FeedRejection.BAD_PAYLOAD, 'a text field contains a NUL character');
  return decoded;
}

function decodeEvent(message: FeedMessage, ce: CloudEventContext, subscriberId: string): FeedEventIn {
  if (ce.dataschema !== FeedEventSchema.typeName)
    reject(
      FeedRejection.BAD_ENVELOPE,
      `ce_dataschema is ${ce.dataschema}, expected ${FeedEventSchema.typeName}`,
    );
  if (!message.value || message.value.length === 0)
    reject(FeedRejection.BAD_PAYLOAD, 'the message has no value');

  let event: FeedEvent;
  try {
    event = fromBinary(FeedEventSchema, message.value);
  } catch (error) {
    return reject(
      FeedRejection.BAD_PAYLOAD,
      `not a ${FeedEventSchema.typeName}: ${(error as Error).message}`,
    );
  }
  if (!EVENT_TYPES.has(event.type)) reject(FeedRejection.UNKNOWN_TYPE, `unknown event type "${event.type}"`);
  const type = event.type as CreditEventType;
  if (ce.type !== type) reject(FeedRejection.BAD_ENVELOPE, `ce_type is ${ce.type} but the event is ${type}`);
  if (ce.id !== event.eventId)
    reject(FeedRejection.BAD_ENVELOPE, `ce_id is ${ce.id} but the event id is "${event.eventId}"`);
  if (event.subscriber !== subscriberId)
    reject(
      FeedRejection.WRONG_SUBSCRIBER,
      `the event is for subscriber "${event.subscriber}", this platform is ${subscriberId}`,
    );
  const record = event.record;
  if (!record?.recordId) return reject(FeedRejection.BAD_PAYLOAD, 'record.record_id is missing');
  if (record.version < 1 || record.version > MAX_VERSION)
    reject(FeedRejection.BAD_PAYLOAD, `record.version must be between 1 and ${MAX_VERSION}`);
  // A deletion needs only the record's id and version; anything to hold needs its subject.
  if (!isDeletion(type) && !record.subject?.canonicalId)
    reject(FeedRejection.BAD_PAYLOAD, 'record.subject.canonical_id is missing');
  if (
    (type === CreditEventType.disputed || type === CreditEventType.disputeResolved) &&
    !event.dispute?.disputeId
  )
    reject(FeedRejection.BAD_PAYLOAD, `${type} without dispute.dispute_id`);

  const subject = record.subject;
  const source = record.source;
  const disclosure = record.disclosure;
  const decoded: FeedEventIn = {
    eventId: event.eventId,
    type,
    subscriber: event.subscriber,
    occurredAt: event.occurredAt ? timestampDate(event.occurredAt) : ce.time,
    reason: event.reason,
    traceparent: ce.traceparent ?? null,
    dispute: event.dispute?.disputeId
      ? { disputeId: event.dispute.disputeId, status: event.dispute.status, outcome: event.dispute.outcome }
      : null,
    record: {
      recordId: record.recordId,
      version: record.version,
      kind: record.kind,
      category: record.category,
      polarity: enumName(Polarity, record.polarity),
      severity: enumName(Severity, record.severity),
      status: enumName(RecordStatus, record.status),
      subject: {
        canonicalId: subject?.canonicalId ?? '',
        kind: enumName(SubjectKind, subject?.kind ?? SubjectKind.UNSPECIFIED),
        name: subject?.name ?? '',
        regionCode: subject?.regionCode ?? '',
        idNumber: subject?.idNumber ? subject.idNumber : null,
      },
      source: {
        sector: source?.sector ?? '',
        agencyId: source?.agencyId ?? '',
        sourceRecordId: source?.sourceRecordId ?? '',
        decisionNumber: source?.decisionNumber ?? '',
        decidingAuthority: source?.decidingAuthority ?? '',
        decisionDate: source?.decisionDate ?? '',
      },
      disclosure: {
        level: enumName(DisclosureLevel, disclosure?.level ?? DisclosureLevel.UNSPECIFIED),
        effectiveFrom: disclosure?.effectiveFrom ?? '',
        disclosureUntil: disclosure?.disclosureUntil ?? '',
        legalBasis: disclosure?.legalBasis ?? '',
        repairableFrom: disclosure?.repairableFrom ?? '',
      },
      attributes: { ...record.attributes },
    },
  };
  // Valid protobuf, but PostgreSQL cannot store a NUL character in text or jsonb.
  if (hasNul(decoded)) reject(FeedRejection.BAD_PAYLOAD, 'a text field contains a NUL character');
  return decoded;
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\0') || hasNul(v));
  return false;
}

function reject(code: FeedRejection, message: string): never {
  throw new FeedMessageRejected(code, message);
}

/** `SubjectKind.LEGAL_ENTITY` → `legal_entity`. */
function enumName(values: Record<number, string>, value: number): string {
  return (values[value] ?? 'UNSPECIFIED').toLowerCase();
}
