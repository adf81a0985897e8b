import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tasks the exchange sends the sector's implementing agencies (DESIGN §13: apply a measure to a
 * listed subject, or lift it), and the agencies' answers: an apply task may be acknowledged, then
 * answered applied, not_applicable or declined; a lift task is acknowledged. Each answer is stored
 * with its event id before it is published (published_at set once Kafka has it). An apply task still
 * open when its lift task arrives is cancelled (the entry ended first): answered_at is when the task
 * stopped being open, by its final answer or by that cancellation.
 */
export function measureTasksMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z]+$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return class MeasureTasks1764100000000 implements MigrationInterface {
    name = 'MeasureTasks1764100000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${schema}.measure_tasks (
          task_id uuid PRIMARY KEY,
          kind text NOT NULL CHECK (kind IN ('apply', 'lift')),
          lifts_task_id uuid,
          agency_id text NOT NULL,
          entry_id uuid NOT NULL,
          list_type text NOT NULL,
          list_colour text NOT NULL,
          memorandum_id text NOT NULL,
          document_number text NOT NULL,
          measure_id text NOT NULL,
          measure_text text NOT NULL,
          legal_basis text NOT NULL,
          mode text NOT NULL,
          scenarios text[] NOT NULL,
          targets text[] NOT NULL,
          subject_kind text NOT NULL,
          subject_id text NOT NULL,
          subject_name text NOT NULL,
          record_id text NOT NULL,
          listed_at timestamptz,
          applies_until date,
          due_by date,
          issued_at timestamptz NOT NULL,
          end_reason text NOT NULL,
          state text NOT NULL CHECK (state IN ('delivered', 'acknowledged', 'applied', 'not_applicable', 'declined', 'cancelled')),
          answered_at timestamptz,
          event_id uuid NOT NULL,
          received_at timestamptz NOT NULL
        )`);
      await q.query(
        `CREATE INDEX measure_tasks_inbox_idx ON ${schema}.measure_tasks (agency_id, (answered_at IS NULL), issued_at)`,
      );
      await q.query(`
        CREATE TABLE ${schema}.measure_task_answers (
          event_id uuid PRIMARY KEY,
          task_id uuid NOT NULL REFERENCES ${schema}.measure_tasks (task_id),
          stage text NOT NULL CHECK (stage IN ('acknowledgement', 'final')),
          outcome text NOT NULL CHECK (outcome IN ('acknowledged', 'applied', 'not_applicable', 'declined')),
          reason_code text NOT NULL,
          legal_ground text NOT NULL,
          note text NOT NULL,
          answered_at timestamptz NOT NULL,
          published_at timestamptz,
          CONSTRAINT measure_task_answers_stage_uq UNIQUE (task_id, stage)
        )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${schema}.measure_task_answers`);
      await q.query(`DROP TABLE ${schema}.measure_tasks`);
    }
  };
}
