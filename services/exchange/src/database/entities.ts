import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AuditLogRow } from '../audit/audit-log.entity.js';
import type { CanonicalRecord } from '../domain/canonical-record.js';

// Rows of the exchange schema. They never leave the service: APIs and events are built from contracts.

@Entity({ schema: 'exchange', name: 'subjects' })
export class SubjectRow {
  @PrimaryColumn({ name: 'canonical_id', type: 'text' }) canonicalId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'region_code', type: 'text' }) regionCode!: string;
  /** AES-256-GCM sealed identity number (natural persons). */
  @Column({ name: 'id_number_encrypted', type: 'bytea', nullable: true }) idNumberEncrypted!: Buffer | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity({ schema: 'exchange', name: 'records' })
export class RecordRow {
  @PrimaryColumn({ name: 'record_id', type: 'uuid' }) recordId!: string;
  @Column({ type: 'text' }) sector!: string;
  @Column({ name: 'agency_id', type: 'text' }) agencyId!: string;
  @Column({ name: 'source_record_id', type: 'text' }) sourceRecordId!: string;
  @Column({ name: 'subject_id', type: 'text' }) subjectId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'current_version', type: 'int' }) currentVersion!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ schema: 'exchange', name: 'record_versions' })
export class RecordVersionRow {
  @PrimaryColumn({ name: 'record_id', type: 'uuid' }) recordId!: string;
  @PrimaryColumn({ type: 'int' }) version!: number;
  @Column({ type: 'jsonb' }) body!: CanonicalRecord;
  @Column({ name: 'source_event_id', type: 'uuid' }) sourceEventId!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  @Column({ name: 'valid_from', type: 'timestamptz' }) validFrom!: Date;
  @Column({ name: 'valid_to', type: 'timestamptz', nullable: true }) validTo!: Date | null;
}

/** The delivery ledger: one row per (record version, subscriber, event type), with the exact message sent. */
@Entity({ schema: 'exchange', name: 'deliveries' })
export class DeliveryRow {
  /** Equals the feed message's ce_id. */
  @PrimaryColumn({ name: 'delivery_id', type: 'uuid' }) deliveryId!: string;
  @Column({ name: 'record_id', type: 'uuid' }) recordId!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'subscriber_id', type: 'text' }) subscriberId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'text' }) rule!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ name: 'message_key', type: 'text' }) messageKey!: string;
  @Column({ type: 'bytea' }) payload!: Buffer;
  @Column({ type: 'jsonb' }) headers!: Record<string, string>;
  @Column({ name: 'source_topic', type: 'text' }) sourceTopic!: string;
  @Column({ name: 'source_partition', type: 'int' }) sourcePartition!: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ schema: 'exchange', name: 'dead_letters' })
export class DeadLetterRow {
  @PrimaryColumn({ name: 'dead_letter_id', type: 'uuid' }) deadLetterId!: string;
  @Column({ name: 'source_topic', type: 'text' }) sourceTopic!: string;
  @Column({ name: 'source_partition', type: 'int' }) sourcePartition!: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset!: string;
  @Column({ name: 'event_id', type: 'text', nullable: true }) eventId!: string | null;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ name: 'message_key', type: 'bytea', nullable: true }) messageKey!: Buffer | null;
  @Column({ type: 'bytea', nullable: true }) payload!: Buffer | null;
  @Column({ type: 'jsonb' }) headers!: Record<string, string>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Idempotency: every sector event id processed, with where it was read. */
@Entity({ schema: 'exchange', name: 'processed_events' })
export class ProcessedEventRow {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'int' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ type: 'text' }) outcome!: string;
  @Column({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
}

/**
 * Per source partition, the offset below which every output is committed to Kafka (see ingest).
 * A fact about the topic, not about a consumer group: a new group replaying it publishes nothing.
 */
@Entity({ schema: 'exchange', name: 'consumer_progress' })
export class ConsumerProgressRow {
  @PrimaryColumn({ type: 'text' }) topic!: string;
  @PrimaryColumn({ type: 'int' }) partition!: number;
  @Column({ name: 'next_offset', type: 'bigint' }) nextOffset!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const ENTITIES = [
  SubjectRow,
  RecordRow,
  RecordVersionRow,
  DeliveryRow,
  DeadLetterRow,
  ProcessedEventRow,
  ConsumerProgressRow,
  AuditLogRow,
];
