import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The intake schema every sector service owns (named after the sector): the agency records it
 * has published and every event it sent for them, which is what idempotency and receipts read.
 */
export function intakeSchemaMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z]+$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return class IntakeSchema1763856000000 implements MigrationInterface {
    name = 'IntakeSchema1763856000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await q.query(`
        CREATE TABLE ${schema}.records (
          agency_id text NOT NULL,
          source_record_id text NOT NULL,
          record_type text NOT NULL,
          version int NOT NULL,
          status text NOT NULL,
          content_hash text NOT NULL,
          -- Digest of the subject's identity number: the Kafka key of every event about the record.
          subject_key text NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          PRIMARY KEY (agency_id, source_record_id)
        )`);
      await q.query(`
        CREATE TABLE ${schema}.submissions (
          event_id uuid PRIMARY KEY,
          agency_id text NOT NULL,
          source_record_id text NOT NULL,
          action text NOT NULL,
          version int NOT NULL,
          content_hash text NOT NULL,
          channel text NOT NULL,
          status text NOT NULL,
          topic text,
          partition int,
          "offset" bigint,
          received_at timestamptz NOT NULL,
          accepted_at timestamptz,
          FOREIGN KEY (agency_id, source_record_id) REFERENCES ${schema}.records (agency_id, source_record_id),
          CONSTRAINT submissions_once_uq UNIQUE (agency_id, source_record_id, action, version)
        )`);
      await q.query(
        `CREATE INDEX submissions_record_idx ON ${schema}.submissions (agency_id, source_record_id, received_at)`,
      );
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  };
}
