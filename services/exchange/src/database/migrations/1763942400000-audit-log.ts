import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * exchange.audit_log: append-only and hash-chained (see src/audit). A trigger refuses UPDATE, DELETE and
 * TRUNCATE for every role; whoever may ALTER the table (its owner, a superuser) can still disable it,
 * which the chain verifier then catches.
 */
export class AuditLog1763942400000 implements MigrationInterface {
  name = 'AuditLog1763942400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange.audit_log (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        recorded_at timestamptz NOT NULL,
        kind text NOT NULL,
        actor text NOT NULL,
        subject_id text,
        record_id uuid,
        details jsonb NOT NULL,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON exchange.audit_log (subject_id)`);
    await q.query(`CREATE INDEX audit_log_record_idx ON exchange.audit_log (record_id)`);
    await q.query(`
      CREATE FUNCTION exchange.audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'exchange.audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Audit entries are never changed or removed; append a new entry instead.';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON exchange.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION exchange.audit_log_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange.audit_log`);
    await q.query(`DROP FUNCTION exchange.audit_log_refuse_change()`);
  }
}
