import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed receipts (DESIGN §13): checks at the point of decision and credit reports. Each row keeps
 * exactly the bytes that were signed, the signature and the audit entry that chains the receipt's
 * SHA-256, so `GET /v1/checks/{number}` can re-verify all three. Append-only like the audit log:
 * procurement keeps such evidence with the file for at least 15 years.
 */
export class Receipts1764103600000 implements MigrationInterface {
  name = 'Receipts1764103600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE exchange.check_receipt_seq`);
    await q.query(`CREATE SEQUENCE exchange.report_receipt_seq`);
    await q.query(`
      CREATE TABLE exchange.receipts (
        number text PRIMARY KEY CHECK (number ~ '^(CHK|RPT)-[0-9]{8}-[0-9]{6,}$'),
        kind text NOT NULL CHECK (kind IN ('check', 'report')),
        issued_at timestamptz NOT NULL,
        client_id text NOT NULL,
        body bytea NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        signature bytea NOT NULL,
        key_id text NOT NULL,
        audit_seq bigint NOT NULL REFERENCES exchange.audit_log (seq)
      )`);
    await q.query(`CREATE INDEX receipts_client_idx ON exchange.receipts (client_id, issued_at)`);
    await q.query(`
      CREATE FUNCTION exchange.receipts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'exchange.receipts is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'A receipt is evidence: issue a new one instead.';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER receipts_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON exchange.receipts
        FOR EACH STATEMENT EXECUTE FUNCTION exchange.receipts_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange.receipts`);
    await q.query(`DROP FUNCTION exchange.receipts_refuse_change()`);
    await q.query(`DROP SEQUENCE exchange.report_receipt_seq`);
    await q.query(`DROP SEQUENCE exchange.check_receipt_seq`);
  }
}
