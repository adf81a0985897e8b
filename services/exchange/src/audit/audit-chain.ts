import { createHash } from 'node:crypto';

// The audit log's hash chain, as pure functions (no I/O): every entry's hash covers the previous
// entry's hash and its own contents, so an edited, inserted or deleted entry breaks the chain where
// it happened. The chain has no secret: it proves that history was not rewritten only up to the
// last hash someone kept outside the database (see verify-audit.ts).

/** prev_hash of the first entry (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers. */
export interface AuditEntryContent {
  /** Position in the chain: 1, 2, 3, … (bigint column; pg returns it as a string). */
  seq: bigint | number | string;
  recordedAt: Date;
  kind: string;
  actor: string;
  subjectId: string | null;
  recordId: string | null;
  /** A JSON object (stored as jsonb). */
  details: Record<string, unknown>;
}

/** An entry as stored: its contents plus the chain links. */
export interface AuditChainRow extends AuditEntryContent {
  prevHash: string;
  hash: string;
}

export type ChainProblemKind = 'edited' | 'inserted' | 'deleted' | 'reordered';

export interface ChainProblem {
  /** The entry concerned; for a deletion, the first missing seq. */
  seq: string;
  problem: ChainProblemKind;
  detail: string;
}

export type VerifyResult =
  | { ok: true; entries: number; lastSeq: string | null; lastHash: string }
  | { ok: false; entries: number; problems: ChainProblem[] };

/**
 * JSON with object keys sorted at every level and no whitespace, so that the same value always gives
 * the same text (jsonb does not keep key order). Values go through JSON first: undefined properties
 * disappear and dates become ISO strings, exactly as when the details are stored.
 */
export function canonicalJson(value: unknown): string {
  return canonical(JSON.parse(JSON.stringify(value ?? null)) as unknown);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(object[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) over `prevHash` followed by the canonical JSON of the entry's contents. `seq` is hashed
 * as its decimal string and `recordedAt` as ISO 8601 with milliseconds.
 */
export function hashEntry(prevHash: string, entry: AuditEntryContent): string {
  const content = canonicalJson({
    seq: BigInt(entry.seq).toString(),
    recordedAt: entry.recordedAt.toISOString(),
    kind: entry.kind,
    actor: entry.actor,
    subjectId: entry.subjectId,
    recordId: entry.recordId,
    details: entry.details,
  });
  return createHash('sha256').update(prevHash, 'utf8').update(content, 'utf8').digest('hex');
}

/** An entry's hash input before its seq is known: the canonical text around the seq's value. */
export interface PreparedEntry {
  before: string;
  after: string;
}

/**
 * `canonicalJson(value)` in one pass over the value, without the round trip through JSON text:
 * what JSON.stringify would keep (toJSON applied, undefined, functions and symbols dropped from
 * objects and null in arrays, non-finite numbers null), keys sorted at every level. The audit log
 * stores this text as the details and hashes it, so it serialises each entry once.
 */
export function canonicalJsonOf(value: unknown): string {
  return canonicalValue(value) ?? 'null';
}

function canonicalValue(input: unknown): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as () => unknown).call(value);
    if (value instanceof Number || value instanceof String || value instanceof Boolean)
      value = value.valueOf();
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => canonicalValue(v) ?? 'null').join(',')}]`;
      const object = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(object).sort()) {
        const text = canonicalValue(object[key]);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
}

/**
 * The canonical JSON of an entry without its seq, so that the costly part of hashing can run before
 * the audit log's lock is taken; `hashPrepared` then gives exactly `hashEntry`'s hash. `detailsJson`
 * is the details' canonical text (`canonicalJsonOf`). The keys in their sorted order: actor, details,
 * kind, recordId, recordedAt, seq, subjectId.
 */
export function prepareEntryText(
  entry: Omit<AuditEntryContent, 'seq' | 'details'>,
  detailsJson: string,
): PreparedEntry {
  const text = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  return {
    before:
      `{"actor":${text(entry.actor)},"details":${detailsJson},"kind":${text(entry.kind)},` +
      `"recordId":${text(entry.recordId)},"recordedAt":${text(entry.recordedAt.toISOString())},"seq":`,
    after: `,"subjectId":${text(entry.subjectId)}}`,
  };
}

/** `prepareEntryText` of an entry whose details are an object. */
export function prepareEntry(entry: Omit<AuditEntryContent, 'seq'>): PreparedEntry {
  return prepareEntryText(entry, canonicalJsonOf(entry.details));
}

/** `hashEntry(prevHash, entry)` for an entry prepared with `prepareEntry`, now that its seq is known. */
export function hashPrepared(prevHash: string, prepared: PreparedEntry, seq: bigint | string): string {
  return createHash('sha256')
    .update(prevHash, 'utf8')
    .update(prepared.before, 'utf8')
    .update(JSON.stringify(BigInt(seq).toString()), 'utf8')
    .update(prepared.after, 'utf8')
    .digest('hex');
}

/**
 * Checks entries fed in ascending seq order, one at a time, so a caller can page through millions of
 * rows. Each entry is checked against its own hash (edited), its seq against the one before it
 * (deleted: a gap; inserted: a duplicate) and its prev_hash against the hash of the entry before it
 * (inserted, or the entry before rewritten with a recomputed hash).
 */
export class ChainVerifier {
  private readonly problems: ChainProblem[] = [];
  private entries = 0;
  /** Seq of the last entry pushed, and the stored hashes of the entries with that seq. */
  private lastSeq: bigint | null = null;
  private lastHashes: string[] = [GENESIS_HASH];
  /** Stored hashes of the seq before lastSeq (what a duplicate of lastSeq must link to). */
  private beforeLastHashes: string[] = [];

  push(row: AuditChainRow): void {
    this.entries += 1;
    const seq = BigInt(row.seq);
    const computed = hashEntry(row.prevHash, row);
    const edited = computed !== row.hash;
    if (edited) {
      this.report(
        seq,
        'edited',
        `stored hash ${row.hash} does not match ${computed} computed from its contents`,
      );
    }

    if (this.lastSeq !== null && seq < this.lastSeq) {
      this.report(seq, 'reordered', `entry ${seq} comes after entry ${this.lastSeq}`);
      return;
    }
    if (this.lastSeq !== null && seq === this.lastSeq) {
      const links = this.beforeLastHashes.includes(row.prevHash);
      this.report(
        seq,
        'inserted',
        `a second entry with seq ${seq}${links ? '' : `, whose prev_hash ${row.prevHash} matches no entry ${seq - 1n}`}`,
      );
      this.lastHashes.push(row.hash);
      return;
    }

    const expectedSeq = this.lastSeq === null ? 1n : this.lastSeq + 1n;
    const links = this.lastHashes.includes(row.prevHash);
    const previous = this.lastSeq === null ? 'the genesis hash' : `the hash of entry ${this.lastSeq}`;
    if (seq > expectedSeq) {
      const missing =
        seq - expectedSeq === 1n ? `entry ${expectedSeq} is` : `entries ${expectedSeq}–${seq - 1n} are`;
      this.report(
        expectedSeq,
        'deleted',
        `${missing} missing: entry ${seq} follows ${this.lastSeq === null ? 'the start of the log' : `entry ${this.lastSeq}`}` +
          (links
            ? ''
            : ` and its prev_hash ${row.prevHash} does not match ${previous} ${this.lastHashes[0]}`),
      );
    } else if (!links && !edited) {
      this.report(
        seq,
        'inserted',
        `prev_hash ${row.prevHash} does not match ${previous} ${this.lastHashes[0]}: entry ${seq} was inserted` +
          (this.lastSeq === null ? '' : `, or entry ${this.lastSeq} was rewritten with a recomputed hash`),
      );
    }
    this.beforeLastHashes = this.lastHashes;
    this.lastHashes = [row.hash];
    this.lastSeq = seq;
  }

  result(): VerifyResult {
    if (this.problems.length > 0) return { ok: false, entries: this.entries, problems: [...this.problems] };
    return {
      ok: true,
      entries: this.entries,
      lastSeq: this.lastSeq === null ? null : this.lastSeq.toString(),
      lastHash: this.lastHashes[0] ?? GENESIS_HASH,
    };
  }

  private report(seq: bigint, problem: ChainProblemKind, detail: string): void {
    this.problems.push({ seq: seq.toString(), problem, detail });
  }
}

/**
 * Verifies a whole chain held in memory. Rows may come in any order: an entry listed after a higher
 * seq is reported as reordered, and the chain itself is checked in seq order.
 */
export function verifyChain(rows: readonly AuditChainRow[]): VerifyResult {
  const reordered: ChainProblem[] = [];
  let highest: bigint | null = null;
  for (const row of rows) {
    const seq = BigInt(row.seq);
    if (highest !== null && seq < highest) {
      reordered.push({
        seq: seq.toString(),
        problem: 'reordered',
        detail: `entry ${seq} is listed after entry ${highest}`,
      });
    } else {
      highest = seq;
    }
  }
  const verifier = new ChainVerifier();
  const sorted = [...rows].sort((a, b) => {
    const d = BigInt(a.seq) - BigInt(b.seq);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  for (const row of sorted) verifier.push(row);
  const result = verifier.result();
  if (reordered.length === 0) return result;
  const problems = [...reordered, ...(result.ok ? [] : result.problems)];
  return { ok: false, entries: result.entries, problems };
}

/**
 * One entry's place in the chain, without reading the whole log: its own hash, its link to the entry
 * before (whose own hash must hold too) and the link of the entry after it, when there is one.
 * `previous` is undefined only for seq 1, whose prev_hash must be the genesis hash.
 */
export function checkEntryInChain(
  previous: AuditChainRow | undefined,
  row: AuditChainRow,
  next: AuditChainRow | undefined,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const seq = BigInt(row.seq);
  const computed = hashEntry(row.prevHash, row);
  if (computed !== row.hash)
    problems.push({
      seq: seq.toString(),
      problem: 'edited',
      detail: `stored hash ${row.hash} does not match ${computed} computed from its contents`,
    });
  if (seq === 1n) {
    if (row.prevHash !== GENESIS_HASH)
      problems.push({ seq: '1', problem: 'inserted', detail: 'entry 1 does not link to the genesis hash' });
  } else if (!previous || BigInt(previous.seq) !== seq - 1n) {
    problems.push({ seq: (seq - 1n).toString(), problem: 'deleted', detail: `entry ${seq - 1n} is missing` });
  } else {
    if (hashEntry(previous.prevHash, previous) !== previous.hash)
      problems.push({
        seq: previous.seq.toString(),
        problem: 'edited',
        detail: `entry ${previous.seq} before it does not match its own hash`,
      });
    if (previous.hash !== row.prevHash)
      problems.push({
        seq: seq.toString(),
        problem: 'inserted',
        detail: `prev_hash ${row.prevHash} does not match the hash of entry ${previous.seq} ${previous.hash}`,
      });
  }
  if (next && next.prevHash !== row.hash)
    problems.push({
      seq: next.seq.toString(),
      problem: 'inserted',
      detail: `entry ${next.seq} does not link to this entry's hash ${row.hash}`,
    });
  return problems;
}
