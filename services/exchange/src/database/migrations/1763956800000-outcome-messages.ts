import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outcome messages (credit.<sector>.outcomes.v1) produced by each source position, kept like
 * deliveries and dead letters so that a batch whose Kafka transaction did not commit publishes the
 * same ones again.
 */
export class OutcomeMessages1763956800000 implements MigrationInterface {
  name = 'OutcomeMessages1763956800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange.outcome_messages (
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        event_id text NOT NULL,
        topic text NOT NULL,
        message_key bytea,
        payload bytea NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (source_topic, source_partition, source_offset)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange.outcome_messages`);
  }
}
