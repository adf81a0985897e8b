import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The measure tasks this platform's agency received on its feed (DESIGN §13), kept for its staff. */
export function measureTasks(schema: string): new () => MigrationInterface {
  const s = `"${schema}"`;
  return class MeasureTasks1764100000000 implements MigrationInterface {
    name = 'MeasureTasks1764100000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${s}.measure_tasks (
          task_id text PRIMARY KEY,
          event_id text NOT NULL,
          kind text NOT NULL CHECK (kind IN ('apply', 'lift')),
          lifts_task_id text,
          entry_id text NOT NULL,
          list_type text NOT NULL,
          list_colour text NOT NULL,
          memorandum_id text NOT NULL,
          document_number text NOT NULL,
          measure_id text NOT NULL,
          measure_text text NOT NULL,
          legal_basis text NOT NULL,
          mode text NOT NULL,
          scenarios jsonb NOT NULL,
          targets jsonb NOT NULL,
          subject_id text NOT NULL,
          subject_kind text NOT NULL,
          subject_name text NOT NULL,
          record_id text NOT NULL,
          listed_at timestamptz,
          applies_until date,
          due_by date,
          issued_at timestamptz NOT NULL,
          end_reason text NOT NULL,
          topic text NOT NULL,
          partition int NOT NULL,
          "offset" bigint NOT NULL,
          received_at timestamptz NOT NULL
        )`);
      await q.query(`CREATE INDEX measure_tasks_issued_idx ON ${s}.measure_tasks (issued_at)`);
      await q.query(`CREATE INDEX measure_tasks_subject_idx ON ${s}.measure_tasks (subject_id)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.measure_tasks`);
    }
  };
}
