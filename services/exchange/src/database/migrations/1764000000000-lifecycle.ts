import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Record lifecycle and subject rights (DESIGN §8): disputes, repair requests, subscribers' deletion
 * acknowledgements and the expiry scheduler's state.
 */
export class Lifecycle1764000000000 implements MigrationInterface {
  name = 'Lifecycle1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // A dispute flags its record without changing its lifecycle status (a disputed record can still be corrected).
    await q.query(`ALTER TABLE exchange.records ADD COLUMN open_dispute_id uuid`);
    await q.query(`
      CREATE TABLE exchange.disputes (
        dispute_id uuid PRIMARY KEY,
        record_id uuid NOT NULL REFERENCES exchange.records (record_id),
        sector text NOT NULL,
        agency_id text NOT NULL,
        version int NOT NULL,
        grounds text NOT NULL,
        filed_by text NOT NULL,
        filed_at timestamptz NOT NULL,
        due_by date NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'resolved')),
        flagged_at timestamptz,
        outcome text CHECK (outcome IN ('upheld', 'corrected', 'withdrawn')),
        note text,
        resolved_at timestamptz
      )`);
    // One open dispute per record: a second one waits for the first to be resolved.
    await q.query(
      `CREATE UNIQUE INDEX disputes_one_open_idx ON exchange.disputes (record_id) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX disputes_due_idx ON exchange.disputes (sector, due_by) WHERE status = 'open'`,
    );
    await q.query(`
      CREATE TABLE exchange.repair_requests (
        request_id uuid PRIMARY KEY,
        record_id uuid NOT NULL REFERENCES exchange.records (record_id),
        sector text NOT NULL,
        agency_id text NOT NULL,
        version int NOT NULL,
        grounds text NOT NULL,
        filed_by text NOT NULL,
        filed_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        note text,
        decided_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX repair_requests_one_pending_idx ON exchange.repair_requests (record_id) WHERE status = 'pending'`,
    );
    // One row per acknowledged feed event (a delivery of withdrawn, expired or repaired).
    await q.query(`
      CREATE TABLE exchange.feed_acks (
        delivery_id uuid PRIMARY KEY REFERENCES exchange.deliveries (delivery_id),
        subscriber_id text NOT NULL,
        acknowledged_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX deliveries_deletions_idx ON exchange.deliveries (subscriber_id, created_at)
         WHERE event_type IN ('credit.record.withdrawn', 'credit.record.expired', 'credit.record.repaired')`,
    );
    // The expiry scheduler's state: which records it has asked to expire (once each), and its runs.
    await q.query(`
      CREATE TABLE exchange.expiry_requests (
        record_id uuid PRIMARY KEY REFERENCES exchange.records (record_id),
        disclosure_until date NOT NULL,
        requested_at timestamptz NOT NULL,
        requested_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE exchange.scheduler_runs (
        name text PRIMARY KEY,
        last_run_at timestamptz NOT NULL,
        last_instance text NOT NULL,
        last_found int NOT NULL
      )`);
    await q.query(
      `CREATE INDEX records_disclosed_idx ON exchange.records (record_id) WHERE status IN ('active', 'corrected')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX exchange.records_disclosed_idx`);
    await q.query(`DROP TABLE exchange.scheduler_runs`);
    await q.query(`DROP TABLE exchange.expiry_requests`);
    await q.query(`DROP INDEX exchange.deliveries_deletions_idx`);
    await q.query(`DROP TABLE exchange.feed_acks`);
    await q.query(`DROP TABLE exchange.repair_requests`);
    await q.query(`DROP TABLE exchange.disputes`);
    await q.query(`ALTER TABLE exchange.records DROP COLUMN open_dispute_id`);
  }
}
