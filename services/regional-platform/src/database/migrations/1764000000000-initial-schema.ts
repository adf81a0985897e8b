import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform's tables. The schema is per instance (DB_SCHEMA), so the migration is built for it;
 * TypeORM records it by name in that schema's own migrations table.
 */
export function initialSchema(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  return class InitialSchema1764000000000 implements MigrationInterface {
    name = 'InitialSchema1764000000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await q.query(`
        CREATE TABLE ${s}.held_records (
          record_id text PRIMARY KEY,
          version int NOT NULL,
          kind text NOT NULL,
          category text NOT NULL,
          polarity text NOT NULL,
          severity text NOT NULL,
          status text NOT NULL,
          subject_id text NOT NULL,
          subject_kind text NOT NULL,
          subject_name text NOT NULL,
          subject_region text NOT NULL,
          subject_id_number text,
          source jsonb NOT NULL,
          disclosure jsonb NOT NULL,
          attributes jsonb NOT NULL,
          disputed boolean NOT NULL DEFAULT false,
          dispute_id text,
          dispute_outcome text,
          received_event_id text NOT NULL,
          updated_at timestamptz NOT NULL
        )`);
      await q.query(`CREATE INDEX held_records_subject_idx ON ${s}.held_records (subject_id)`);
      await q.query(`
        CREATE TABLE ${s}.tombstones (
          record_id text PRIMARY KEY,
          version int NOT NULL,
          event_type text NOT NULL,
          reason text NOT NULL,
          event_id text NOT NULL,
          removed_at timestamptz NOT NULL
        )`);
      await q.query(`
        CREATE TABLE ${s}.processed_events (
          event_id text PRIMARY KEY,
          event_type text NOT NULL,
          record_id text NOT NULL,
          version int NOT NULL,
          outcome text NOT NULL,
          topic text NOT NULL,
          partition int NOT NULL,
          "offset" bigint NOT NULL,
          processed_at timestamptz NOT NULL
        )`);
      await q.query(`CREATE INDEX processed_events_record_idx ON ${s}.processed_events (record_id)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.processed_events`);
      await q.query(`DROP TABLE ${s}.tombstones`);
      await q.query(`DROP TABLE ${s}.held_records`);
    }
  };
}
