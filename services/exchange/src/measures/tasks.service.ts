import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AgencyRequestType, TaskAnswerSchema, Topics } from '@cie/contracts';
import {
  BrokerUnavailableError,
  type Clock,
  CodedException,
  type EventPublisher,
  type IdGenerator,
} from '@cie/platform';
import type { DataSource } from 'typeorm';
import type { WorkingCalendar } from '../lifecycle/working-days.js';
import { decideTaskAnswer } from './domain/tasks.js';
import type { MeasuresRepository } from './measures.repository.js';

export enum TaskErrorCode {
  TASK_NOT_FOUND = 'TASK_NOT_FOUND',
  TASK_ANSWER_REFUSED = 'TASK_ANSWER_REFUSED',
  INVALID_QUERY = 'INVALID_QUERY',
  TASK_ALREADY_ANSWERED = 'TASK_ALREADY_ANSWERED',
  BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE',
}
export const TASK_ERROR_STATUS: Record<TaskErrorCode, number> = {
  [TaskErrorCode.TASK_NOT_FOUND]: 404,
  [TaskErrorCode.TASK_ANSWER_REFUSED]: 422,
  [TaskErrorCode.INVALID_QUERY]: 400,
  [TaskErrorCode.TASK_ALREADY_ANSWERED]: 409,
  [TaskErrorCode.BROKER_UNAVAILABLE]: 503,
};
export class TaskException extends CodedException<TaskErrorCode> {
  override readonly name = 'TaskException';
  constructor(code: TaskErrorCode, message: string, field?: string) {
    super(code, message, field ? [{ field, detail: message }] : []);
  }
}

export interface TaskAnswerBody {
  outcome: string;
  reasonCode?: string;
  legalGround?: string;
  note?: string;
}

interface TaskListRow {
  task_id: string;
  kind: string;
  entry_id: string;
  lifts_task_id: string | null;
  list_type: string;
  memorandum_id: string;
  measure_id: string;
  implementer_kind: string;
  implementer_id: string;
  status: string;
  due_by: string;
  applies_until: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
  answered_at: Date | null;
  lifted_at: Date | null;
  reason_code: string | null;
  legal_ground: string | null;
  record_id: string;
}

const OPEN = ['delivered', 'acknowledged'];
const STATUS_FILTERS: Record<string, string[] | null> = {
  open: OPEN,
  answered: ['applied', 'not_applicable', 'declined', 'lifted', 'cancelled'],
  all: null,
};

/**
 * Tasks as the implementing agencies and operators see them (DESIGN §13), and a subscriber's answer:
 * checked against the task as stored now (404, 400, 409 straight away), then sent as a command on
 * the exchange's commands topic, where the pipeline applies it exactly once (and checks it again).
 */
export class TasksService {
  constructor(
    private readonly db: DataSource,
    private readonly repository: MeasuresRepository,
    private readonly commands: EventPublisher,
    private readonly calendar: WorkingCalendar,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async list(filter: { implementerId?: string; status: string; overdue: boolean }) {
    const statuses = STATUS_FILTERS[filter.status];
    if (statuses === undefined)
      throw new TaskException(TaskErrorCode.INVALID_QUERY, 'status must be open, answered or all', 'status');
    const rows = await this.db.query<TaskListRow[]>(
      `${SELECT_TASKS} WHERE ($1::text IS NULL OR t.implementer_id = $1) AND ($2::text[] IS NULL OR t.status = ANY($2))
        ORDER BY t.created_at DESC, t.task_id LIMIT 1000`,
      [filter.implementerId ?? null, statuses],
    );
    const now = this.clock.now();
    const items = rows.map((r) => this.view(r, now)).filter((t) => !filter.overdue || t.overdue);
    return { items, count: items.length, overdue: items.filter((t) => t.overdue).length };
  }

  async get(taskId: string, implementerId?: string) {
    const [row] = await this.db.query<TaskListRow[]>(`${SELECT_TASKS} WHERE t.task_id = $1`, [taskId]);
    if (!row || (implementerId !== undefined && row.implementer_id !== implementerId))
      throw new TaskException(TaskErrorCode.TASK_NOT_FOUND, `no task ${taskId}`, 'taskId');
    return this.view(row, this.clock.now());
  }

  async answer(taskId: string, subscriberId: string, body: TaskAnswerBody) {
    const answer = {
      outcome: body.outcome,
      reasonCode: body.reasonCode ?? '',
      legalGround: body.legalGround ?? '',
    };
    const task = await this.db.transaction((em) => this.repository.lockTask(em, taskId));
    if (!task || task.implementerId !== subscriberId)
      throw new TaskException(
        TaskErrorCode.TASK_NOT_FOUND,
        `no task ${taskId} for ${subscriberId}`,
        'taskId',
      );
    const decided = decideTaskAnswer(task, taskId, { kind: 'subscriber', id: subscriberId }, answer);
    if ('refused' in decided)
      throw new TaskException(
        decided.refused.code === 'invalid_state'
          ? TaskErrorCode.TASK_ALREADY_ANSWERED
          : TaskErrorCode.TASK_ANSWER_REFUSED,
        decided.refused.detail,
        decided.refused.code === 'invalid_field' ? fieldOf(decided.refused.detail) : 'outcome',
      );
    const entry = await this.db.transaction((em) => this.repository.entry(em, task.entryId));
    const now = this.clock.now();
    const eventId = this.ids.next();
    try {
      await this.commands.publish(
        Topics.exchangeCommands,
        entry?.recordId ?? taskId,
        TaskAnswerSchema,
        create(TaskAnswerSchema, {
          taskId,
          implementerId: subscriberId,
          ...answer,
          note: body.note ?? '',
          answeredAt: timestampFromDate(now),
        }),
        {
          id: eventId,
          source: '/exchange/api',
          type: AgencyRequestType.taskAnswered,
          time: now,
          subject: taskId,
        },
      );
    } catch (error) {
      if (error instanceof BrokerUnavailableError)
        throw new TaskException(
          TaskErrorCode.BROKER_UNAVAILABLE,
          'the exchange cannot take answers right now; nothing was sent, try again',
        );
      throw error;
    }
    return { taskId, eventId, outcome: body.outcome, status: 'accepted' };
  }

  /** Per memorandum, measure and implementing agency: what was sent, answered and lifted, and how fast. */
  async statistics() {
    const rows = await this.db.query<Record<string, string | number | null>[]>(
      `SELECT memorandum_id AS "memorandumId", measure_id AS "measureId", implementer_id AS "implementerId",
              count(*) FILTER (WHERE kind = 'apply')::int AS sent,
              count(*) FILTER (WHERE kind = 'apply' AND acknowledged_at IS NOT NULL)::int AS acknowledged,
              count(*) FILTER (WHERE kind = 'apply' AND status IN ('applied', 'lifted'))::int AS applied,
              count(*) FILTER (WHERE kind = 'apply' AND status = 'not_applicable')::int AS "notApplicable",
              count(*) FILTER (WHERE kind = 'apply' AND status = 'declined')::int AS declined,
              count(*) FILTER (WHERE kind = 'apply' AND status = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE kind = 'lift')::int AS "liftsSent",
              count(*) FILTER (WHERE kind = 'apply' AND status = 'lifted')::int AS lifted,
              count(*) FILTER (WHERE status IN ('delivered', 'acknowledged') AND due_by < $1::date)::int AS overdue,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - created_at))
                FILTER (WHERE kind = 'apply' AND acknowledged_at IS NOT NULL) AS "acknowledgeSecondsMedian",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - created_at))
                FILTER (WHERE kind = 'apply' AND answered_at IS NOT NULL AND status <> 'cancelled') AS "answerSecondsMedian",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - created_at))
                FILTER (WHERE kind = 'lift' AND acknowledged_at IS NOT NULL) AS "liftSecondsMedian"
         FROM exchange.measure_tasks
        GROUP BY memorandum_id, measure_id, implementer_id
        ORDER BY memorandum_id, measure_id, implementer_id`,
      [this.calendar.dateOf(this.clock.now())],
    );
    return { items: rows };
  }

  private view(r: TaskListRow, now: Date) {
    return {
      taskId: r.task_id,
      kind: r.kind,
      liftsTaskId: r.lifts_task_id,
      entryId: r.entry_id,
      listType: r.list_type,
      recordId: r.record_id,
      memorandumId: r.memorandum_id,
      measureId: r.measure_id,
      implementer: { kind: r.implementer_kind, id: r.implementer_id },
      status: r.status,
      dueBy: r.due_by,
      appliesUntil: r.applies_until,
      overdue: OPEN.includes(r.status) && this.calendar.isOverdue(r.due_by, now),
      createdAt: r.created_at.toISOString(),
      acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
      answeredAt: r.answered_at?.toISOString() ?? null,
      liftedAt: r.lifted_at?.toISOString() ?? null,
      reasonCode: r.reason_code,
      legalGround: r.legal_ground,
    };
  }
}

const SELECT_TASKS = `SELECT t.task_id, t.kind, t.entry_id, t.lifts_task_id, e.list_type, t.memorandum_id, t.measure_id,
    t.implementer_kind, t.implementer_id, t.status, t.due_by::text AS due_by, t.applies_until::text AS applies_until,
    t.created_at, t.acknowledged_at, t.answered_at, t.lifted_at, t.reason_code, t.legal_ground, e.record_id
  FROM exchange.measure_tasks t JOIN exchange.list_entries e USING (entry_id)`;

/** The field a refusal of the task rules names first (`reasonCode is required…` → reasonCode). */
const fieldOf = (detail: string) => /^[a-zA-Z]+/.exec(detail)?.[0] ?? 'outcome';
