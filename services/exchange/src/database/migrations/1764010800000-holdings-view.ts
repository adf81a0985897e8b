import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who holds which record: from the delivery ledger, every (record, subscriber) whose last event was
 * not a removal (withdrawn, expired, repaired). One definition for the lifecycle, policy changes and
 * what-if; a query on one record reaches only that record's deliveries (PostgreSQL pushes the filter
 * on a DISTINCT ON column into the view).
 */
export class HoldingsView1764010800000 implements MigrationInterface {
  name = 'HoldingsView1764010800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW exchange.holdings AS
        SELECT record_id, subscriber_id FROM (
          SELECT DISTINCT ON (record_id, subscriber_id) record_id, subscriber_id, event_type
            FROM exchange.deliveries
           ORDER BY record_id, subscriber_id, created_at DESC, delivery_id DESC
        ) last
        WHERE event_type NOT IN ('credit.record.withdrawn', 'credit.record.expired', 'credit.record.repaired')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW exchange.holdings`);
  }
}
