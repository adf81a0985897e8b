import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Rows of this platform's schema (the schema comes from the DataSource: one per platform instance).
// They never leave the service: the API answers with views built in records/record.view.ts.

@Entity({ name: 'held_records' })
@Index('held_records_subject_idx', ['subjectId'])
export class HeldRecordRow {
  @PrimaryColumn({ name: 'record_id', type: 'text' }) recordId!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) category!: string;
  @Column({ type: 'text' }) polarity!: string;
  @Column({ type: 'text' }) severity!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'subject_id', type: 'text' }) subjectId!: string;
  @Column({ name: 'subject_kind', type: 'text' }) subjectKind!: string;
  @Column({ name: 'subject_name', type: 'text' }) subjectName!: string;
  @Column({ name: 'subject_region', type: 'text' }) subjectRegion!: string;
  @Column({ name: 'subject_id_number', type: 'text', nullable: true }) subjectIdNumber!: string | null;
  @Column({ type: 'jsonb' }) source!: Record<string, string>;
  @Column({ type: 'jsonb' }) disclosure!: Record<string, string>;
  @Column({ type: 'jsonb' }) attributes!: Record<string, string>;
  @Column({ type: 'boolean' }) disputed!: boolean;
  @Column({ name: 'dispute_id', type: 'text', nullable: true }) disputeId!: string | null;
  @Column({ name: 'dispute_outcome', type: 'text', nullable: true }) disputeOutcome!: string | null;
  @Column({ name: 'received_event_id', type: 'text' }) receivedEventId!: string;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A removed record: id, version, why and when; nothing about the subject. */
@Entity({ name: 'tombstones' })
export class TombstoneRow {
  @PrimaryColumn({ name: 'record_id', type: 'text' }) recordId!: string;
  @Column({ type: 'int' }) version!: number;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'removed_at', type: 'timestamptz' }) removedAt!: Date;
}

/** Every feed event applied (or deliberately ignored), written in the same transaction as its effect. */
@Entity({ name: 'processed_events' })
export class ProcessedEventRow {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ name: 'record_id', type: 'text' }) recordId!: string;
  @Column({ type: 'int' }) version!: number;
  /** `held`, `removed` or `ignored: <why>`. */
  @Column({ type: 'text' }) outcome!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'int' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
}

/** A measure task received on the feed, with where it was read; its task id makes a redelivery a no-op. */
@Entity({ name: 'measure_tasks' })
@Index('measure_tasks_issued_idx', ['issuedAt'])
@Index('measure_tasks_subject_idx', ['subjectId'])
export class MeasureTaskRow {
  @PrimaryColumn({ name: 'task_id', type: 'text' }) taskId!: string;
  @Column({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ type: 'text' }) kind!: 'apply' | 'lift';
  @Column({ name: 'lifts_task_id', type: 'text', nullable: true }) liftsTaskId!: string | null;
  @Column({ name: 'entry_id', type: 'text' }) entryId!: string;
  @Column({ name: 'list_type', type: 'text' }) listType!: string;
  @Column({ name: 'list_colour', type: 'text' }) listColour!: string;
  @Column({ name: 'memorandum_id', type: 'text' }) memorandumId!: string;
  @Column({ name: 'document_number', type: 'text' }) documentNumber!: string;
  @Column({ name: 'measure_id', type: 'text' }) measureId!: string;
  @Column({ name: 'measure_text', type: 'text' }) measureText!: string;
  @Column({ name: 'legal_basis', type: 'text' }) legalBasis!: string;
  @Column({ type: 'text' }) mode!: string;
  @Column({ type: 'jsonb' }) scenarios!: string[];
  @Column({ type: 'jsonb' }) targets!: string[];
  @Column({ name: 'subject_id', type: 'text' }) subjectId!: string;
  @Column({ name: 'subject_kind', type: 'text' }) subjectKind!: string;
  @Column({ name: 'subject_name', type: 'text' }) subjectName!: string;
  @Column({ name: 'record_id', type: 'text' }) recordId!: string;
  @Column({ name: 'listed_at', type: 'timestamptz', nullable: true }) listedAt!: Date | null;
  @Column({ name: 'applies_until', type: 'date', nullable: true }) appliesUntil!: string | null;
  @Column({ name: 'due_by', type: 'date', nullable: true }) dueBy!: string | null;
  @Column({ name: 'issued_at', type: 'timestamptz' }) issuedAt!: Date;
  @Column({ name: 'end_reason', type: 'text' }) endReason!: string;
  @Column({ type: 'text' }) topic!: string;
  @Column({ type: 'int' }) partition!: number;
  @Column({ type: 'bigint' }) offset!: string;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
}

export const ENTITIES = [HeldRecordRow, TombstoneRow, ProcessedEventRow, MeasureTaskRow];
