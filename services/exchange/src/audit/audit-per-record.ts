import type { AuditEntryInput } from './audit-log.js';

/** The kind of an entry that carries several entries about one record (see `onePerRecord`). */
export const RECORD_ACTIVITY = 'record_activity';

/** One of the entries a `record_activity` entry carries, as it would have been stored on its own. */
export interface CarriedEntry {
  kind: string;
  details: Record<string, unknown>;
}

/**
 * A batch's audit entries with each run of consecutive entries about the same record (same record,
 * subject, actor and time) folded into one `record_activity` entry whose details list them in order,
 * `{ entries: [{ kind, details }] }`. A published record made about eight entries in a row (a routing
 * decision per subscriber, a delivery per feed message), each a chain row with its own hash, three
 * index entries and most of the batch's audit bytes; now it makes one for its routing and one for its
 * list entries and measure tasks. Only consecutive entries fold, so the chain keeps the order in which
 * things happened across records (a record's listing, then the next record upgrading it). A lone
 * entry, or one without a record, stays as it is. The view `exchange.audit_entries` reads both shapes
 * back as one row per original entry.
 */
export function onePerRecord(entries: readonly AuditEntryInput[]): AuditEntryInput[] {
  const runs: AuditEntryInput[][] = [];
  let lastKey: string | undefined;
  for (const entry of entries) {
    const key = entry.recordId
      ? JSON.stringify([
          entry.recordId,
          entry.subjectId ?? null,
          entry.actor,
          entry.recordedAt?.getTime() ?? null,
        ])
      : undefined;
    if (key !== undefined && key === lastKey) runs.at(-1)!.push(entry);
    else runs.push([entry]);
    lastKey = key;
  }
  return runs.map((run) => {
    const [first, ...rest] = run as [AuditEntryInput, ...AuditEntryInput[]];
    if (rest.length === 0) return first;
    const { kind: _kind, details: _details, ...about } = first;
    const carried: CarriedEntry[] = run.map((e) => ({ kind: e.kind, details: e.details ?? {} }));
    return { ...about, kind: RECORD_ACTIVITY, details: { entries: carried } };
  });
}
