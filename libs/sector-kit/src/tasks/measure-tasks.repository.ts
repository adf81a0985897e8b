import { insertRows, type SqlRunner } from '@cie/platform';
import type { DataSource } from 'typeorm';
import {
  type AnswerStage,
  type GivenAnswer,
  stateAfter,
  type StoredAnswer,
  type TaskKindName,
  type TaskOutcome,
  type TaskState,
} from './task-answers.js';

/** A task as the agency's inbox keeps it (`<sector>.measure_tasks`). */
export interface MeasureTaskRow {
  task_id: string;
  kind: TaskKindName;
  lifts_task_id: string | null;
  /** The implementing agency that must answer (MeasureTask.implementer_id). */
  agency_id: string;
  entry_id: string;
  list_type: string;
  list_colour: string;
  memorandum_id: string;
  document_number: string;
  measure_id: string;
  measure_text: string;
  legal_basis: string;
  mode: string;
  scenarios: string[];
  targets: string[];
  subject_kind: string;
  subject_id: string;
  subject_name: string;
  record_id: string;
  listed_at: Date | null;
  applies_until: string | null;
  due_by: string | null;
  issued_at: Date;
  end_reason: string;
  state: TaskState;
  answered_at: Date | null;
  /** ce_id of the message that brought the task. */
  event_id: string;
  received_at: Date;
}

export interface MeasureTask {
  row: MeasureTaskRow;
  /** Its answers, acknowledgement first. */
  answers: StoredAnswer[];
}

/** Which tasks `GET /v1/tasks` lists: without a final answer (open), with one or cancelled, or all. */
export const TASK_FILTERS = ['open', 'answered', 'all'] as const;
export type TaskFilter = (typeof TASK_FILTERS)[number];

const COLUMNS: readonly (keyof MeasureTaskRow)[] = [
  'task_id',
  'kind',
  'lifts_task_id',
  'agency_id',
  'entry_id',
  'list_type',
  'list_colour',
  'memorandum_id',
  'document_number',
  'measure_id',
  'measure_text',
  'legal_basis',
  'mode',
  'scenarios',
  'targets',
  'subject_kind',
  'subject_id',
  'subject_name',
  'record_id',
  'listed_at',
  'applies_until',
  'due_by',
  'issued_at',
  'end_reason',
  'state',
  'answered_at',
  'event_id',
  'received_at',
];
// Dates as their ISO text, not as midnight in the server's time zone.
const SELECT = COLUMNS.map((c) => (c === 'applies_until' || c === 'due_by' ? `${c}::text AS ${c}` : c)).join(
  ', ',
);

interface AnswerRow {
  task_id: string;
  event_id: string;
  stage: AnswerStage;
  outcome: TaskOutcome;
  reason_code: string;
  legal_ground: string;
  note: string;
  answered_at: Date;
  published_at: Date | null;
}

/**
 * The sector's task inbox: every query is scoped to one agency (its signature takes the agency id),
 * so no agency reads or answers another's tasks.
 */
export class MeasureTasksRepository {
  private readonly tasks: string;
  private readonly answers: string;

  constructor(
    private readonly db: DataSource,
    schema: string,
  ) {
    this.tasks = `${schema}.measure_tasks`;
    this.answers = `${schema}.measure_task_answers`;
  }

  /**
   * Idempotent by task id: a task delivered again changes nothing. A lift task cancels the apply task
   * it lifts when that one has no final answer (stored or published): the entry ended first.
   */
  async insert(runner: SqlRunner, rows: readonly MeasureTaskRow[]): Promise<void> {
    await insertRows(runner, this.tasks, COLUMNS, rows, 'ON CONFLICT (task_id) DO NOTHING');
    for (const lift of rows.filter((r) => r.kind === 'lift'))
      await runner.query(
        `UPDATE ${this.tasks} t SET state = 'cancelled', answered_at = $3
          WHERE task_id = $1 AND agency_id = $2 AND kind = 'apply' AND answered_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM ${this.answers} a WHERE a.task_id = t.task_id AND a.stage = 'final')`,
        [lift.lifts_task_id, lift.agency_id, lift.received_at],
      );
  }

  /** Oldest first, at most 1000. */
  async list(agencyId: string, filter: TaskFilter): Promise<MeasureTask[]> {
    const rows = await this.db.query<MeasureTaskRow[]>(
      `SELECT ${SELECT} FROM ${this.tasks}
        WHERE agency_id = $1 AND ($2 = 'all' OR (answered_at IS NULL) = ($2 = 'open'))
        ORDER BY issued_at, task_id LIMIT 1000`,
      [agencyId, filter],
    );
    return this.withAnswers(this.db, rows);
  }

  async find(
    agencyId: string,
    taskId: string,
    runner: SqlRunner = this.db,
    lock: '' | 'FOR UPDATE' = '',
  ): Promise<MeasureTask | undefined> {
    const rows = await runner.query<MeasureTaskRow[]>(
      `SELECT ${SELECT} FROM ${this.tasks} WHERE task_id = $1 AND agency_id = $2 ${lock}`,
      [taskId, agencyId],
    );
    return (await this.withAnswers(runner, rows))[0];
  }

  async storeAnswer(
    runner: SqlRunner,
    taskId: string,
    answer: GivenAnswer & { stage: AnswerStage; eventId: string; answeredAt: Date },
  ): Promise<void> {
    await runner.query(
      `INSERT INTO ${this.answers} (event_id, task_id, stage, outcome, reason_code, legal_ground, note, answered_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        answer.eventId,
        taskId,
        answer.stage,
        answer.outcome,
        answer.reasonCode,
        answer.legalGround,
        answer.note,
        answer.answeredAt,
      ],
    );
  }

  /** Kafka has the answer: the answer is marked published and the task takes the state it leads to. */
  async markPublished(agencyId: string, taskId: string, answer: StoredAnswer, at: Date): Promise<void> {
    await this.db.transaction(async (em) => {
      const [task] = await em.query<{ state: TaskState }[]>(
        `SELECT state FROM ${this.tasks} WHERE task_id = $1 AND agency_id = $2 FOR UPDATE`,
        [taskId, agencyId],
      );
      if (!task) return;
      await em.query(
        `UPDATE ${this.answers} SET published_at = $2 WHERE event_id = $1 AND published_at IS NULL`,
        [answer.eventId, at],
      );
      await em.query(
        `UPDATE ${this.tasks} SET state = $2, answered_at = COALESCE(answered_at, $3) WHERE task_id = $1`,
        [taskId, stateAfter(task.state, answer), answer.stage === 'final' ? answer.answeredAt : null],
      );
    });
  }

  private async withAnswers(runner: SqlRunner, rows: MeasureTaskRow[]): Promise<MeasureTask[]> {
    if (rows.length === 0) return [];
    const answers = await runner.query<AnswerRow[]>(
      `SELECT task_id, event_id, stage, outcome, reason_code, legal_ground, note, answered_at, published_at
        FROM ${this.answers} WHERE task_id = ANY($1::uuid[]) ORDER BY stage`,
      [rows.map((r) => r.task_id)],
    );
    return rows.map((row) => ({
      row,
      answers: answers
        .filter((a) => a.task_id === row.task_id)
        .map((a) => ({
          stage: a.stage,
          outcome: a.outcome,
          reasonCode: a.reason_code,
          legalGround: a.legal_ground,
          note: a.note,
          eventId: a.event_id,
          answeredAt: a.answered_at,
          publishedAt: a.published_at,
        })),
    }));
  }
}
