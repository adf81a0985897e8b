import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * exchange.audit_entries: the audit log one row per entry as it was made, whether it was stored on
 * its own or folded with the others about its record into one `record_activity` chain row (see
 * src/audit/audit-per-record.ts). `part` is its place in that row (0 for a row of its own). The
 * chain, its hashes and the verifier are over exchange.audit_log, unchanged.
 */
export class AuditEntriesView1764200000000 implements MigrationInterface {
  name = 'AuditEntriesView1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW exchange.audit_entries AS
        SELECT a.seq, 0::bigint AS part, a.recorded_at, a.kind, a.actor, a.subject_id, a.record_id, a.details
          FROM exchange.audit_log a
         WHERE a.kind <> 'record_activity'
        UNION ALL
        SELECT a.seq, e.part, a.recorded_at, e.entry->>'kind', a.actor, a.subject_id, a.record_id, e.entry->'details'
          FROM exchange.audit_log a
         CROSS JOIN LATERAL jsonb_array_elements(a.details->'entries') WITH ORDINALITY AS e (entry, part)
         WHERE a.kind = 'record_activity'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW exchange.audit_entries`);
  }
}
