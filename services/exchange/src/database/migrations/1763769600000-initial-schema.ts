import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763769600000 implements MigrationInterface {
  name = 'InitialSchema1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS exchange`);
    await q.query(`
      CREATE TABLE exchange.subjects (
        canonical_id text PRIMARY KEY,
        kind text NOT NULL,
        name text NOT NULL,
        region_code text NOT NULL,
        id_number_encrypted bytea,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE exchange.records (
        record_id uuid PRIMARY KEY,
        sector text NOT NULL,
        agency_id text NOT NULL,
        source_record_id text NOT NULL,
        subject_id text NOT NULL REFERENCES exchange.subjects (canonical_id),
        kind text NOT NULL,
        status text NOT NULL,
        current_version int NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT records_agency_source_uq UNIQUE (agency_id, source_record_id)
      )`);
    await q.query(`CREATE INDEX records_subject_idx ON exchange.records (subject_id)`);
    await q.query(`
      CREATE TABLE exchange.record_versions (
        record_id uuid NOT NULL REFERENCES exchange.records (record_id),
        version int NOT NULL,
        body jsonb NOT NULL,
        source_event_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        PRIMARY KEY (record_id, version)
      )`);
    await q.query(`
      CREATE TABLE exchange.deliveries (
        delivery_id uuid PRIMARY KEY,
        record_id uuid NOT NULL REFERENCES exchange.records (record_id),
        version int NOT NULL,
        subscriber_id text NOT NULL,
        event_type text NOT NULL,
        rule text NOT NULL,
        topic text NOT NULL,
        message_key text NOT NULL,
        payload bytea NOT NULL,
        headers jsonb NOT NULL,
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT deliveries_once_uq UNIQUE (record_id, version, subscriber_id, event_type)
      )`);
    await q.query(
      `CREATE INDEX deliveries_source_idx ON exchange.deliveries (source_topic, source_partition, source_offset)`,
    );
    await q.query(
      `CREATE INDEX deliveries_subscriber_idx ON exchange.deliveries (subscriber_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE exchange.dead_letters (
        dead_letter_id uuid PRIMARY KEY,
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        event_id text,
        reason text NOT NULL,
        topic text NOT NULL,
        message_key bytea,
        payload bytea,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT dead_letters_source_uq UNIQUE (source_topic, source_partition, source_offset)
      )`);
    await q.query(`
      CREATE TABLE exchange.processed_events (
        event_id text PRIMARY KEY,
        topic text NOT NULL,
        partition int NOT NULL,
        "offset" bigint NOT NULL,
        outcome text NOT NULL,
        processed_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX processed_events_position_idx ON exchange.processed_events (topic, partition, "offset")`,
    );
    await q.query(`
      CREATE TABLE exchange.consumer_progress (
        topic text NOT NULL,
        partition int NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA exchange CASCADE`);
  }
}
