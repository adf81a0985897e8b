import type { SqlRunner } from '@cie/platform';
import type { ActiveEntry } from '../checks/domain/check-verdict.js';
import type { EntryRow as StoredEntryRow } from '../measures/measures.repository.js';

/** A list entry as the read side shows it (checks, reports, `GET /v1/lists/{type}/entries`). */
export interface ListEntryView extends ActiveEntry {
  colour: string;
  sector: string;
  recordVersion: number;
  state: string;
  endedAt: Date | null;
  endReason: string | null;
}

/** The columns the read side selects (the table's one row type is the repository's). */
type EntryRow = Omit<StoredEntryRow, 'upgraded_to' | 'lists_version'>;

const COLUMNS = `entry_id, list_type, colour, sector, subject_id, record_id, record_version, state, listed_at,
  to_char(valid_until, 'YYYY-MM-DD') AS valid_until, ended_at, end_reason`;

// Listed by then, not ended by then, and still within its validity on that day (China time).
const IN_FORCE = `listed_at <= $2 AND (ended_at IS NULL OR ended_at > $2) AND valid_until >= $3::date`;

const toView = (r: EntryRow): ListEntryView => ({
  entryId: r.entry_id,
  listType: r.list_type,
  colour: r.colour,
  sector: r.sector,
  subjectId: r.subject_id,
  recordId: r.record_id,
  recordVersion: r.record_version,
  state: r.state,
  listedAt: r.listed_at,
  validUntil: r.valid_until,
  endedAt: r.ended_at,
  endReason: r.end_reason,
});

/**
 * Reads `exchange.list_entries` (written by the measures pipeline) for the read side: entries in
 * force at an instant, for many subjects in one query or for one list type.
 */
export class ListEntriesReader {
  /** The entries in force at `at` (on `day`, China time) of every subject of `subjectIds`: one query. */
  async inForceForSubjects(
    db: SqlRunner,
    subjectIds: readonly string[],
    at: Date,
    day: string,
  ): Promise<ListEntryView[]> {
    if (subjectIds.length === 0) return [];
    const rows = await db.query<EntryRow[]>(
      `SELECT ${COLUMNS} FROM exchange.list_entries
        WHERE subject_id = ANY($1::text[]) AND ${IN_FORCE}
        ORDER BY subject_id, listed_at, entry_id`,
      [subjectIds, at, day],
    );
    return rows.map(toView);
  }

  /** One list type's entries in force at `at`, a page at a time in listing order. */
  async inForceOfType(
    db: SqlRunner,
    listType: string,
    at: Date,
    day: string,
    page: { limit: number; afterEntryId?: string },
  ): Promise<ListEntryView[]> {
    const rows = await db.query<EntryRow[]>(
      `SELECT ${COLUMNS} FROM exchange.list_entries
        WHERE list_type = $1 AND ${IN_FORCE} AND ($4::uuid IS NULL OR entry_id > $4::uuid)
        ORDER BY entry_id LIMIT $5`,
      [listType, at, day, page.afterEntryId ?? null, page.limit],
    );
    return rows.map(toView);
  }
}
