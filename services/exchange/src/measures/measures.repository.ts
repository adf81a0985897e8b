import { insertRows } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { EntryView } from './domain/listing.js';
import type { TaskStatus, TaskView } from './domain/tasks.js';

export interface EntryRow {
  entry_id: string;
  list_type: string;
  colour: string;
  sector: string;
  subject_id: string;
  record_id: string;
  record_version: number;
  state: 'active' | 'removed' | 'upgraded';
  listed_at: Date;
  valid_until: string;
  ended_at: Date | null;
  end_reason: string | null;
  upgraded_to: string | null;
  lists_version: string;
}

export interface TaskRow {
  task_id: string;
  kind: 'apply' | 'lift';
  entry_id: string;
  lifts_task_id: string | null;
  memorandum_id: string;
  measure_id: string;
  implementer_kind: 'agency' | 'subscriber';
  implementer_id: string;
  sector: string | null;
  status: TaskStatus;
  due_by: string;
  applies_until: string | null;
  created_at: Date;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  topic: string;
  message_key: Buffer | null;
  payload: Buffer;
  headers: Record<string, string>;
}

export type StoredEntry = EntryView & {
  colour: string;
  sector: string;
  listedAt: Date;
  recordVersion: number;
};
export type StoredTask = TaskView & {
  liftsTaskId: string | null;
  memorandumId: string;
  appliesUntil: string | null;
  dueBy: string;
};

const ENTRY = `entry_id AS "entryId", list_type AS "listType", record_id AS "recordId", state,
  valid_until::text AS "validUntil", colour, sector, listed_at AS "listedAt", record_version AS "recordVersion"`;
const TASK = `task_id AS "taskId", kind, entry_id AS "entryId", measure_id AS "measureId",
  implementer_kind AS "implementerKind", implementer_id AS "implementerId", sector, status,
  reason_code AS "reasonCode", legal_ground AS "legalGround", lifts_task_id AS "liftsTaskId",
  memorandum_id AS "memorandumId", applies_until::text AS "appliesUntil", due_by::text AS "dueBy"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The only writer of `exchange.list_entries` and `exchange.measure_tasks`. A task row keeps the
 * message that carried it under its source position, so an uncommitted batch publishes it again.
 * Every method runs in the caller's transaction.
 */
export class MeasuresRepository {
  /** A record's entries, locked: a record's list changes are serialised with its other changes. */
  async entriesOfRecord(em: EntityManager, recordId: string): Promise<StoredEntry[]> {
    return em.query<StoredEntry[]>(
      `SELECT ${ENTRY} FROM exchange.list_entries WHERE record_id = $1 ORDER BY listed_at FOR UPDATE`,
      [recordId],
    );
  }

  /** The subject's active entries (of every record), locked, for upgrades. */
  async activeOfSubject(em: EntityManager, subjectId: string): Promise<StoredEntry[]> {
    return em.query<StoredEntry[]>(
      `SELECT ${ENTRY} FROM exchange.list_entries WHERE subject_id = $1 AND state = 'active' ORDER BY listed_at FOR UPDATE`,
      [subjectId],
    );
  }

  async insertEntries(em: EntityManager, rows: EntryRow[]): Promise<void> {
    await insertRows<EntryRow>(
      em,
      'exchange.list_entries',
      [
        'entry_id',
        'list_type',
        'colour',
        'sector',
        'subject_id',
        'record_id',
        'record_version',
        'state',
        'listed_at',
        'valid_until',
        'ended_at',
        'end_reason',
        'upgraded_to',
        'lists_version',
      ],
      rows,
    );
  }

  async endEntry(
    em: EntityManager,
    entryId: string,
    end: { state: 'removed' | 'upgraded'; reason: string; at: Date; upgradedTo?: string },
  ): Promise<void> {
    await em.query(
      `UPDATE exchange.list_entries SET state = $2, end_reason = $3, ended_at = $4, upgraded_to = $5
        WHERE entry_id = $1 AND state = 'active'`,
      [entryId, end.state, end.reason, end.at, end.upgradedTo ?? null],
    );
  }

  async keepEntry(
    em: EntityManager,
    entryId: string,
    recordVersion: number,
    validUntil: string,
  ): Promise<void> {
    await em.query(
      `UPDATE exchange.list_entries SET record_version = $2, valid_until = $3 WHERE entry_id = $1`,
      [entryId, recordVersion, validUntil],
    );
  }

  async tasksOfEntry(em: EntityManager, entryId: string): Promise<StoredTask[]> {
    return em.query<StoredTask[]>(
      `SELECT ${TASK} FROM exchange.measure_tasks WHERE entry_id = $1 ORDER BY created_at, task_id FOR UPDATE`,
      [entryId],
    );
  }

  async lockTask(em: EntityManager, taskId: string): Promise<StoredTask | undefined> {
    if (!UUID.test(taskId)) return undefined;
    const [row] = await em.query<StoredTask[]>(
      `SELECT ${TASK} FROM exchange.measure_tasks WHERE task_id = $1 FOR UPDATE`,
      [taskId],
    );
    return row;
  }

  async entry(em: EntityManager, entryId: string): Promise<StoredEntry | undefined> {
    const [row] = await em.query<StoredEntry[]>(
      `SELECT ${ENTRY} FROM exchange.list_entries WHERE entry_id = $1`,
      [entryId],
    );
    return row;
  }

  async insertTasks(em: EntityManager, rows: TaskRow[]): Promise<void> {
    await insertRows<TaskRow>(
      em,
      'exchange.measure_tasks',
      [
        'task_id',
        'kind',
        'entry_id',
        'lifts_task_id',
        'memorandum_id',
        'measure_id',
        'implementer_kind',
        'implementer_id',
        'sector',
        'status',
        'due_by',
        'applies_until',
        'created_at',
        'source_topic',
        'source_partition',
        'source_offset',
        'topic',
        'message_key',
        'payload',
        'headers',
      ],
      rows,
    );
  }

  async answerTask(
    em: EntityManager,
    taskId: string,
    a: {
      status: TaskStatus;
      acknowledged: boolean;
      final: boolean;
      reasonCode: string;
      legalGround: string;
      note: string;
      eventId: string;
      at: Date;
    },
  ): Promise<void> {
    await em.query(
      `UPDATE exchange.measure_tasks
          SET status = $2,
              acknowledged_at = CASE WHEN $3::boolean THEN $8::timestamptz ELSE acknowledged_at END,
              answered_at = CASE WHEN $4::boolean THEN $8::timestamptz ELSE answered_at END,
              reason_code = NULLIF($5, ''), legal_ground = NULLIF($6, ''), note = NULLIF($7, ''),
              answer_event_id = $9
        WHERE task_id = $1`,
      [taskId, a.status, a.acknowledged, a.final, a.reasonCode, a.legalGround, a.note, a.at, a.eventId],
    );
  }

  /** An apply task whose measure was lifted (its lift task acknowledged). */
  async markLifted(em: EntityManager, applyTaskId: string, at: Date): Promise<void> {
    await em.query(
      `UPDATE exchange.measure_tasks SET status = 'lifted', lifted_at = $2 WHERE task_id = $1 AND status = 'applied'`,
      [applyTaskId, at],
    );
  }

  /** Open apply tasks of an entry that ended: moot (each gets a lift task instead). */
  async cancel(em: EntityManager, taskIds: string[], at: Date): Promise<void> {
    if (taskIds.length === 0) return;
    await em.query(
      `UPDATE exchange.measure_tasks SET status = 'cancelled', answered_at = $2
        WHERE task_id = ANY($1::uuid[]) AND status IN ('delivered', 'acknowledged')`,
      [taskIds, at],
    );
  }
}
