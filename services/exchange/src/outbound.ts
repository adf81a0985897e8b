import type { Refusal, RefusalCode, SourcePosition } from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import type { AuditEntryInput } from './audit/audit-log.js';
import type { CanonicalRecord } from './domain/canonical-record.js';

/** A message to publish in the same Kafka transaction that commits the source offsets. */
export interface OutboundMessage {
  topic: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** The message being processed: where it was read (outputs are stored under it) and its trace. */
export interface Source {
  position: SourcePosition;
  message: KafkaMessage;
}

export type { Refusal, RefusalCode } from '@cie/platform';

/** What applying one event did: its outputs and the record it was about, or why it was refused. */
export type Applied =
  | { refused: Refusal }
  | { outbound: OutboundMessage[]; recordId: string; version: number; changed?: RecordChange };

/**
 * A record after a change that what follows from it must hear of (its list entries, DESIGN §13):
 * the version with its status after the change, and for an ended record why it ended.
 */
export interface RecordChange {
  record: CanonicalRecord;
  /** `obligation_fulfilled`, `disclosure_period_ended`, `repair_approved`, `dispute_upheld`, … */
  reason?: string;
  /** A record the exchange did not hold before (it can have no list entries yet). */
  isNew?: boolean;
  /** The subject's identity number, when the caller holds it (a record just normalised): not unsealed again. */
  clearIdNumber?: string;
}

export const refuse = (code: RefusalCode, detail: string): { refused: Refusal } => ({
  refused: { code, detail },
});

/** One step of a batch: its PostgreSQL transaction, its clock reading, the audit entries it adds. */
export interface Step {
  em: EntityManager;
  now: Date;
  audit: AuditEntryInput[];
}
