import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CreditRecordSchema,
  DisclosureLevel,
  FeedEventSchema,
  Polarity,
  RecordStatus,
  Severity,
  SubjectKind,
  Topics,
} from '@cie/contracts';
import { cloudEventHeaders } from '@cie/platform';
import type {
  CanonicalRecord,
  DisclosureLevelName,
  PolarityName,
  RecordStatusName,
  SeverityName,
  SubjectKindName,
} from '../domain/canonical-record.js';
import type { SubscriberEntitlement } from '../domain/routing.js';

const SUBJECT_KIND: Record<SubjectKindName, SubjectKind> = {
  legal_entity: SubjectKind.LEGAL_ENTITY,
  natural_person: SubjectKind.NATURAL_PERSON,
  other: SubjectKind.OTHER,
};
const POLARITY: Record<PolarityName, Polarity> = {
  positive: Polarity.POSITIVE,
  negative: Polarity.NEGATIVE,
  neutral: Polarity.NEUTRAL,
};
const SEVERITY: Record<SeverityName, Severity> = {
  minor: Severity.MINOR,
  general: Severity.GENERAL,
  serious: Severity.SERIOUS,
};
const LEVEL: Record<DisclosureLevelName, DisclosureLevel> = {
  public: DisclosureLevel.PUBLIC,
  authorised: DisclosureLevel.AUTHORISED,
  shared: DisclosureLevel.SHARED,
};
const STATUS: Record<RecordStatusName, RecordStatus> = {
  active: RecordStatus.ACTIVE,
  disputed: RecordStatus.DISPUTED,
  corrected: RecordStatus.CORRECTED,
  withdrawn: RecordStatus.WITHDRAWN,
  expired: RecordStatus.EXPIRED,
  repaired: RecordStatus.REPAIRED,
};

/** The dispute a disputed / dispute_resolved event is about, as subscribers see it. */
export interface DisputeFlagView {
  disputeId: string;
  status: 'open' | 'resolved';
  filedAt: Date;
  outcome?: string;
  resolvedAt?: Date;
}

export interface FeedMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** `ce_pseudonymscheme`: what the subject ids of a feed message are (absent before v2: canonical pseudonyms). */
export const PSEUDONYM_SCHEME_HEADER = 'ce_pseudonymscheme';

/**
 * The message one subscriber receives for one record version: the subscriber's view of the record
 * (the subject under the id this subscriber knows it by, a natural person's clear number only when
 * its entitlement says `clear`; the fields its field policy redacts left out: attribute keys removed,
 * a redacted subject name empty) with CloudEvents headers.
 */
export function buildFeedMessage(args: {
  eventId: string;
  type: string;
  record: CanonicalRecord;
  subscriber: SubscriberEntitlement;
  clearIdNumber: string;
  /** The subject's id for this subscriber (a person's pseudonym derived for it): id, key and ce_subject. */
  subjectId: string;
  /** The scheme `subjectId` follows, written as `ce_pseudonymscheme`. */
  pseudonymScheme: string;
  occurredAt: Date;
  /** The trace this message continues (W3C traceparent): the exchange's processing of its source event. */
  traceparent?: string;
  dispute?: DisputeFlagView;
  /** Why the record left the feed (withdrawn, expired, repaired). */
  reason?: string;
}): FeedMessage {
  const { record, subscriber } = args;
  const releaseClearId =
    record.subject.kind !== 'natural_person' || subscriber.naturalPersonIdentity === 'clear';
  const redacted = new Set<string>(subscriber.redact ?? []);
  const attributes = Object.fromEntries(
    Object.entries(record.attributes).filter(([key]) => !redacted.has(key)),
  );
  const view = create(CreditRecordSchema, {
    recordId: record.recordId,
    source: record.source,
    subject: {
      kind: SUBJECT_KIND[record.subject.kind],
      canonicalId: args.subjectId,
      name: redacted.has('subject.name') ? '' : record.subject.name,
      regionCode: record.subject.regionCode,
      idNumber: releaseClearId ? args.clearIdNumber : '',
    },
    kind: record.kind,
    category: record.category,
    polarity: POLARITY[record.polarity],
    severity: SEVERITY[record.severity],
    disclosure: {
      ...record.disclosure,
      level: LEVEL[record.disclosure.level],
      // Records stored before these were kept have neither.
      repairableFrom: record.disclosure.repairableFrom ?? '',
    },
    status: STATUS[record.status],
    version: record.version,
    recordedAt: timestampFromDate(new Date(record.recordedAt)),
    attributes,
    catalogueEdition: record.catalogueEdition,
    catalogueVersion: record.catalogueVersion ?? '',
  });
  const dispute = args.dispute;
  const event = create(FeedEventSchema, {
    eventId: args.eventId,
    type: args.type,
    subscriber: subscriber.id,
    record: view,
    occurredAt: timestampFromDate(args.occurredAt),
    reason: args.reason ?? '',
    ...(dispute && {
      dispute: {
        disputeId: dispute.disputeId,
        status: dispute.status,
        filedAt: timestampFromDate(dispute.filedAt),
        outcome: dispute.outcome ?? '',
        ...(dispute.resolvedAt && { resolvedAt: timestampFromDate(dispute.resolvedAt) }),
      },
    }),
  });
  return {
    topic: Topics.feed(subscriber.id),
    key: args.subjectId,
    value: Buffer.from(toBinary(FeedEventSchema, event)),
    headers: {
      ...cloudEventHeaders({
        id: args.eventId,
        source: '/exchange',
        type: args.type,
        time: args.occurredAt,
        subject: args.subjectId,
        dataschema: FeedEventSchema.typeName,
        ...(args.traceparent ? { traceparent: args.traceparent } : {}),
      }),
      [PSEUDONYM_SCHEME_HEADER]: args.pseudonymScheme,
    },
  };
}
