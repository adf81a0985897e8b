import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Joint rewards and punishments (DESIGN §13): list entries with their lifecycle, and the tasks sent
 * to implementing agencies. A task row holds the message that carried it, stored under the source
 * position that produced it, so a batch whose Kafka transaction did not commit publishes the same
 * message again (as deliveries, dead letters and outcome messages are).
 */
export class JointMeasures1764100000000 implements MigrationInterface {
  name = 'JointMeasures1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange.list_entries (
        entry_id uuid PRIMARY KEY,
        list_type text NOT NULL,
        colour text NOT NULL CHECK (colour IN ('black', 'red', 'watch')),
        sector text NOT NULL,
        subject_id text NOT NULL,
        record_id uuid NOT NULL REFERENCES exchange.records (record_id),
        record_version int NOT NULL,
        state text NOT NULL CHECK (state IN ('active', 'removed', 'upgraded')),
        listed_at timestamptz NOT NULL,
        valid_until date NOT NULL,
        ended_at timestamptz,
        end_reason text,
        upgraded_to uuid REFERENCES exchange.list_entries (entry_id),
        lists_version text NOT NULL,
        CONSTRAINT list_entries_once_uq UNIQUE (list_type, record_id),
        CONSTRAINT list_entries_ended_ck CHECK ((state = 'active') = (ended_at IS NULL))
      )`);
    await q.query(`CREATE INDEX list_entries_subject_idx ON exchange.list_entries (subject_id, listed_at)`);
    await q.query(`CREATE INDEX list_entries_record_idx ON exchange.list_entries (record_id)`);
    await q.query(`CREATE INDEX list_entries_type_idx ON exchange.list_entries (list_type, listed_at)`);
    await q.query(`
      CREATE TABLE exchange.measure_tasks (
        task_id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('apply', 'lift')),
        entry_id uuid NOT NULL REFERENCES exchange.list_entries (entry_id),
        lifts_task_id uuid REFERENCES exchange.measure_tasks (task_id),
        memorandum_id text NOT NULL,
        measure_id text NOT NULL,
        implementer_kind text NOT NULL CHECK (implementer_kind IN ('agency', 'subscriber')),
        implementer_id text NOT NULL,
        sector text,
        status text NOT NULL CHECK (status IN ('delivered', 'acknowledged', 'applied', 'not_applicable', 'declined', 'lifted', 'cancelled')),
        due_by date NOT NULL,
        applies_until date,
        created_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        answered_at timestamptz,
        lifted_at timestamptz,
        reason_code text,
        legal_ground text,
        note text,
        answer_event_id uuid,
        source_topic text NOT NULL,
        source_partition int NOT NULL,
        source_offset bigint NOT NULL,
        topic text NOT NULL,
        message_key bytea,
        payload bytea NOT NULL,
        headers jsonb NOT NULL,
        CONSTRAINT measure_tasks_once_uq UNIQUE (entry_id, kind, measure_id, implementer_id)
      )`);
    await q.query(
      `CREATE INDEX measure_tasks_implementer_idx ON exchange.measure_tasks (implementer_id, created_at)`,
    );
    await q.query(`CREATE INDEX measure_tasks_entry_idx ON exchange.measure_tasks (entry_id)`);
    await q.query(
      `CREATE INDEX measure_tasks_source_idx ON exchange.measure_tasks (source_topic, source_partition, source_offset)`,
    );
    await q.query(
      `CREATE INDEX measure_tasks_open_idx ON exchange.measure_tasks (due_by) WHERE status IN ('delivered', 'acknowledged')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange.measure_tasks`);
    await q.query(`DROP TABLE exchange.list_entries`);
  }
}
