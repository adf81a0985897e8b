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
/** An entry as a batch reads it, with its subject (an upgrade looks at the subject's entries). */
export type KnownEntry = StoredEntry & { subjectId: string };

export interface EntryKeep {
  entryId: string;
  recordVersion: number;
  validUntil: string;
}

export interface EntryEnd {
  entryId: string;
  state: 'removed' | 'upgraded';
  reason: string;
  at: Date;
  upgradedTo: string | null;
}

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
  /**
   * The entries of `recordIds` (every state) and the active entries of `subjectIds` (of every
   * record, for upgrades), locked, oldest first: a record's list changes are serialised with its
   * other changes. One query for a whole batch.
   */
  /** The entries of these records, and the active entries of each subject of the given list type. */
  async entriesOfRecordsAndSubjects(
    em: EntityManager,
    recordIds: readonly string[],
    subjectTypes: readonly { subjectId: string; listType: string }[],
  ): Promise<KnownEntry[]> {
    if (recordIds.length === 0 && subjectTypes.length === 0) return [];
    return em.query<KnownEntry[]>(
      `SELECT ${ENTRY}, subject_id AS "subjectId" FROM exchange.list_entries
        WHERE record_id = ANY($1::uuid[])
           OR (state = 'active' AND (subject_id, list_type) IN
                (SELECT * FROM unnest($2::text[], $3::text[])))
        ORDER BY listed_at FOR UPDATE`,
      [recordIds, subjectTypes.map((s) => s.subjectId), subjectTypes.map((s) => s.listType)],
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

  /** Entries that end (each only while active), one statement for a batch. */
  async endEntries(em: EntityManager, ends: readonly EntryEnd[]): Promise<void> {
    if (ends.length === 0) return;
    await em.query(
      `UPDATE exchange.list_entries e
          SET state = x.state, end_reason = x.reason, ended_at = x.at, upgraded_to = x.upgraded_to
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::uuid[])
              AS x (entry_id, state, reason, at, upgraded_to)
        WHERE e.entry_id = x.entry_id AND e.state = 'active'`,
      [
        ends.map((e) => e.entryId),
        ends.map((e) => e.state),
        ends.map((e) => e.reason),
        ends.map((e) => e.at),
        ends.map((e) => e.upgradedTo),
      ],
    );
  }

  /** Entries that stay, with the version and validity of their record's latest change (one per entry). */
  async keepEntries(em: EntityManager, keeps: readonly EntryKeep[]): Promise<void> {
    if (keeps.length === 0) return;
    await em.query(
      `UPDATE exchange.list_entries e SET record_version = x.record_version, valid_until = x.valid_until
         FROM unnest($1::uuid[], $2::int[], $3::date[]) AS x (entry_id, record_version, valid_until)
        WHERE e.entry_id = x.entry_id`,
      [keeps.map((k) => k.entryId), keeps.map((k) => k.recordVersion), keeps.map((k) => k.validUntil)],
    );
  }

  /** The tasks of entries, locked, in the order they were sent. */
  async tasksOfEntries(em: EntityManager, entryIds: readonly string[]): Promise<StoredTask[]> {
    if (entryIds.length === 0) return [];
    return em.query<StoredTask[]>(
      `SELECT ${TASK} FROM exchange.measure_tasks WHERE entry_id = ANY($1::uuid[])
        ORDER BY created_at, task_id FOR UPDATE`,
      [entryIds],
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
