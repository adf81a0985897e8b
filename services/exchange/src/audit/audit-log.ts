import { type Clock, type SqlRunner, SystemClock } from '@cie/platform';
import { DataSource, EntityManager } from 'typeorm';
import {
  type AuditChainRow,
  type ChainProblem,
  ChainVerifier,
  checkEntryInChain,
  GENESIS_HASH,
  canonicalJsonOf,
  hashPrepared,
  type PreparedEntry,
  prepareEntryText,
  type VerifyResult,
} from './audit-chain.js';

/** What was audited. Open-ended: new kinds need no migration. */
export type AuditKind = 'routing_decision' | 'delivery' | 'query' | 'policy_change' | (string & {});

/** One entry to append; seq, prev_hash and hash are assigned by the log. */
export interface AuditEntryInput {
  kind: AuditKind;
  /** Who acted: an exchange instance id, `operator:<name>`, a subscriber id, … */
  actor: string;
  subjectId?: string | null;
  /** A record id (UUID). */
  recordId?: string | null;
  /** A JSON object; stored as jsonb and hashed as canonical JSON (undefined properties are dropped). */
  details?: Record<string, unknown>;
  /** Defaults to the clock's now. Kept to the millisecond. */
  recordedAt?: Date;
}

/**
 * Key of the transaction-scoped advisory lock that serialises appends across every exchange instance
 * sharing the database, so they extend one chain: the bytes of "auditlog".
 */
export const AUDIT_LOG_LOCK_KEY = 0x61756469746c6f67n;

/**
 * One statement text whatever the batch size (a multi-row VALUES is new SQL, planned anew, for every
 * size): the rows go as one array per column, and the details as one JSON array of the texts already
 * serialised (in a jsonb[] each would be escaped again into an array literal, the costliest part of
 * the statement), paired with the rows by position.
 */
const INSERT = `INSERT INTO exchange.audit_log (seq, recorded_at, kind, actor, subject_id, record_id, details, prev_hash, hash)
  SELECT r.seq, r.recorded_at, r.kind, r.actor, r.subject_id, r.record_id, d.details, r.prev_hash, r.hash
    FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::uuid[], $8::text[], $9::text[])
           WITH ORDINALITY AS r (seq, recorded_at, kind, actor, subject_id, record_id, prev_hash, hash, n)
    JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS d (details, n) USING (n)`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_BIGINT = '-9223372036854775808';

interface StoredRow {
  seq: string;
  recorded_at: Date | string;
  kind: string;
  actor: string;
  subject_id: string | null;
  record_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * The exchange's append-only, hash-chained audit log (exchange.audit_log, DESIGN §10). `append` writes
 * a batch inside the caller's transaction, so the entries commit or roll back with what they describe.
 */
export class AuditLog {
  private readonly clock: Clock;
  private readonly pageSize: number;

  constructor(options: { clock?: Clock; pageSize?: number } = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.pageSize = options.pageSize ?? 10_000;
  }

  /**
   * Appends `entries`, in order, to the chain. `em` must be the caller's transaction (e.g. the
   * EntityManager of `dataSource.transaction`), under READ COMMITTED (PostgreSQL's default): the
   * advisory lock taken here is held until that transaction ends, so call this late in it. Returns
   * the seq of the last entry appended.
   */
  async append(em: SqlRunner, entries: readonly AuditEntryInput[]): Promise<string | undefined> {
    if (entries.length === 0) return undefined;
    if (em instanceof DataSource || (em instanceof EntityManager && !em.queryRunner?.isTransactionActive)) {
      throw new Error('AuditLog.append must run inside the caller’s transaction (pass its EntityManager)');
    }
    // Everything but the seq is serialised (once, canonically) and prepared for hashing before the
    // lock is taken.
    const contents = entries.map((entry, i) => this.content(entry, i));
    const prepared = contents.map(({ content, detailsJson }) => prepareEntryText(content, detailsJson));

    await em.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [AUDIT_LOG_LOCK_KEY.toString()]);
    const [last] = await em.query<{ seq: string; hash: string }[]>(
      `SELECT a.seq::text AS seq, a.hash FROM exchange.audit_log a ORDER BY a.seq DESC LIMIT 1`,
    );
    let seq = BigInt(last?.seq ?? '0');
    let prevHash = last?.hash ?? GENESIS_HASH;
    const columns: unknown[][] = Array.from({ length: 9 }, () => []);
    for (const [i, { content, detailsJson }] of contents.entries()) {
      seq += 1n;
      const hash = hashPrepared(prevHash, prepared[i] as PreparedEntry, seq);
      const row = [
        seq.toString(),
        content.recordedAt.toISOString(),
        content.kind,
        content.actor,
        content.subjectId,
        content.recordId,
        detailsJson,
        prevHash,
        hash,
      ];
      for (const [c, value] of row.entries()) (columns[c] as unknown[]).push(value);
      prevHash = hash;
    }
    // $7: the details texts as one JSON array.
    await em.query(
      INSERT,
      columns.map((column, c) => (c === 6 ? `[${column.join(',')}]` : column)),
    );
    return seq.toString();
  }

  /**
   * One entry and its place in the chain (its hash, its links to the entries before and after it),
   * for a receipt that names its entry: three rows read, not the whole log.
   */
  async verifyEntry(
    db: SqlRunner,
    seq: string,
  ): Promise<{ entry: AuditChainRow | undefined; problems: ChainProblem[] }> {
    const rows = (
      await db.query<StoredRow[]>(
        `SELECT seq::text AS seq, recorded_at, kind, actor, subject_id, record_id::text AS record_id, details, prev_hash, hash
           FROM exchange.audit_log a WHERE a.seq BETWEEN $1::bigint - 1 AND $1::bigint + 1 ORDER BY a.seq`,
        [seq],
      )
    ).map(toChainRow);
    const at = (s: bigint) => rows.find((r) => BigInt(r.seq) === s);
    const entry = at(BigInt(seq));
    if (!entry)
      return { entry, problems: [{ seq, problem: 'deleted', detail: `audit entry ${seq} is missing` }] };
    return {
      entry,
      problems: checkEntryInChain(at(BigInt(seq) - 1n), entry, at(BigInt(seq) + 1n)),
    };
  }

  /**
   * Checks the whole chain, reading it in seq order one page at a time. (ORDER BY names the table's
   * column: a bare `seq` would mean the text output column, and sort 10 before 9.)
   */
  async verify(db: SqlRunner): Promise<VerifyResult> {
    const verifier = new ChainVerifier();
    let after = MIN_BIGINT;
    for (;;) {
      const page = await db.query<StoredRow[]>(
        `SELECT seq::text AS seq, recorded_at, kind, actor, subject_id, record_id::text AS record_id, details, prev_hash, hash
           FROM exchange.audit_log a WHERE a.seq > $1::bigint ORDER BY a.seq LIMIT $2`,
        [after, this.pageSize],
      );
      for (const row of page) verifier.push(toChainRow(row));
      const last = page.at(-1);
      if (!last || page.length < this.pageSize) break;
      after = last.seq;
    }
    return verifier.result();
  }

  /**
   * An entry's contents exactly as they will read back from the database, so the hash matches later,
   * and its details as the canonical JSON text stored (jsonb keeps no key order: any order reads back
   * the same) and hashed.
   */
  private content(
    entry: AuditEntryInput,
    index: number,
  ): { content: Omit<AuditChainRow, 'seq' | 'prevHash' | 'hash' | 'details'>; detailsJson: string } {
    const where = `audit entry ${index}`;
    if (!entry.kind) throw new Error(`${where}: kind is required`);
    if (!entry.actor) throw new Error(`${where}: actor is required`);
    const recordId = entry.recordId ?? null;
    if (recordId !== null && !UUID.test(recordId))
      throw new Error(`${where}: recordId ${recordId} is not a UUID`);
    const detailsJson = canonicalJsonOf(entry.details ?? {});
    if (!detailsJson.startsWith('{')) throw new Error(`${where}: details must be a JSON object`);
    const recordedAt = entry.recordedAt ?? this.clock.now();
    if (Number.isNaN(recordedAt.getTime())) throw new Error(`${where}: recordedAt is not a valid date`);
    return {
      content: {
        recordedAt: new Date(recordedAt.getTime()),
        kind: entry.kind,
        actor: entry.actor,
        subjectId: entry.subjectId ?? null,
        // PostgreSQL returns uuids in lower case.
        recordId: recordId?.toLowerCase() ?? null,
      },
      detailsJson,
    };
  }
}

function toChainRow(row: StoredRow): AuditChainRow {
  return {
    seq: row.seq,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    kind: row.kind,
    actor: row.actor,
    subjectId: row.subject_id,
    recordId: row.record_id,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
