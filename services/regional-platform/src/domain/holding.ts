import { type CreditEventType, DELETION_EVENT_TYPES } from '@cie/contracts';

/** A credit record as this platform received it (the exchange's view for this subscriber). */
export interface RecordSnapshot {
  recordId: string;
  version: number;
  kind: string;
  category: string;
  /** `positive`, `negative`, `neutral` (lower-case names of the contract's enums). */
  polarity: string;
  severity: string;
  /** The exchange's status when it sent the record: `active`, `disputed`, `corrected`, … */
  status: string;
  subject: {
    canonicalId: string;
    kind: string;
    name: string;
    regionCode: string;
    /** A natural person's identity number, only when this platform is entitled to it in clear. */
    idNumber: string | null;
  };
  source: {
    sector: string;
    agencyId: string;
    sourceRecordId: string;
    decisionNumber: string;
    decidingAuthority: string;
    decisionDate: string;
  };
  disclosure: {
    level: string;
    effectiveFrom: string;
    disclosureUntil: string;
    legalBasis: string;
    repairableFrom: string;
  };
  attributes: Record<string, string>;
}

/** A record this platform holds and may disclose. */
export interface HeldRecord extends RecordSnapshot {
  disputed: boolean;
  disputeId: string | null;
  /** Outcome of the last resolved dispute: `upheld`, `corrected` or `withdrawn`. */
  disputeOutcome: string | null;
  /** The feed event that last changed it. */
  receivedEventId: string;
  updatedAt: Date;
}

/** What is left of a removed record: enough to refuse a late copy of it, nothing about the subject. */
export interface Tombstone {
  recordId: string;
  version: number;
  eventType: DeletionEventType;
  /** The exchange's reason, e.g. `decision_revoked`, `disclosure_period_ended`, `repair_approved`. */
  reason: string;
  eventId: string;
  removedAt: Date;
}

export type DeletionEventType =
  typeof CreditEventType.withdrawn | typeof CreditEventType.expired | typeof CreditEventType.repaired;

export function isDeletion(type: CreditEventType): type is DeletionEventType {
  return DELETION_EVENT_TYPES.includes(type);
}

/** A feed event, decoded and checked (see feed/feed-event.decoder.ts). */
export interface FeedEventIn {
  eventId: string;
  type: CreditEventType;
  subscriber: string;
  record: RecordSnapshot;
  occurredAt: Date;
  dispute: { disputeId: string; status: string; outcome: string } | null;
  reason: string;
  /** W3C trace context of the exchange's operation, carried on to the acknowledgement. */
  traceparent: string | null;
}

/** What this platform knows about one record id. */
export type Holding =
  { state: 'none' } | { state: 'held'; record: HeldRecord } | { state: 'removed'; tombstone: Tombstone };
