import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record version can be disputed, and the dispute resolved, more than once (a second dispute after
 * the first was upheld): one delivery per (version, subscriber, event type) holds only for the
 * record's own versions (published, corrected). Exactly-once delivery rests on the source positions
 * (see ingest), not on this constraint. Lookups by record get their own index.
 */
export class RepeatedDisputes1764014400000 implements MigrationInterface {
  name = 'RepeatedDisputes1764014400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exchange.deliveries DROP CONSTRAINT deliveries_once_uq`);
    await q.query(
      `CREATE UNIQUE INDEX deliveries_once_uq ON exchange.deliveries (record_id, version, subscriber_id, event_type)
        WHERE event_type IN ('credit.record.published', 'credit.record.corrected')`,
    );
    await q.query(
      `CREATE INDEX deliveries_record_idx ON exchange.deliveries (record_id, subscriber_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX exchange.deliveries_record_idx`);
    await q.query(`DROP INDEX exchange.deliveries_once_uq`);
    await q.query(
      `ALTER TABLE exchange.deliveries ADD CONSTRAINT deliveries_once_uq UNIQUE (record_id, version, subscriber_id, event_type)`,
    );
  }
}
