import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One entry of the append-only, hash-chained audit log. Written only through AuditLog.append (never
 * through a repository save: the seq and hash come from the chain); the database refuses updates.
 */
@Entity({ schema: 'exchange', name: 'audit_log' })
export class AuditLogRow {
  /** 1, 2, 3, … without gaps. bigint: pg returns it as a string. */
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  /** routing_decision, delivery, query, policy_change, … */
  @Column({ type: 'text' }) kind!: string;
  /** Who acted: an exchange instance, an operator, a subscriber. */
  @Column({ type: 'text' }) actor!: string;
  @Column({ name: 'subject_id', type: 'text', nullable: true }) subjectId!: string | null;
  @Column({ name: 'record_id', type: 'uuid', nullable: true }) recordId!: string | null;
  @Column({ type: 'jsonb' }) details!: Record<string, unknown>;
  /** Hash of the entry before (64 zeros for seq 1). */
  @Column({ name: 'prev_hash', type: 'text' }) prevHash!: string;
  /** SHA-256 hex over prev_hash and this entry's contents (audit-chain.ts). */
  @Column({ type: 'text' }) hash!: string;
}
