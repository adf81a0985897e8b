import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { testDatabaseUrl } from '@cie/testing';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../database/data-source.js';
import { hashEntry } from './audit-chain.js';
import { type AuditEntryInput, AuditLog } from './audit-log.js';
import { describeResult } from './verify-audit.js';

// The audit log on a real PostgreSQL, in a scratch database of its own (created through the admin
// connection of DATABASE_URL and dropped at the end), so it may check the whole table and tamper with it.

const SCRATCH = `cie_audit_${randomBytes(6).toString('hex')}`;

function scratchUrl(): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${SCRATCH}`;
  return url.toString();
}

const entry = (i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  kind: i % 3 === 0 ? 'delivery' : 'routing_decision',
  actor: 'exchange-it',
  subjectId: `P${String(i).padStart(32, '0')}`,
  recordId: randomUUID().toUpperCase(),
  details: { subscriber: 'beijing-platform', rule: `subscribers@1#${i}`, nested: { n: i, at: new Date(0) } },
  ...overrides,
});

describe('audit log on the real database', () => {
  let admin: pg.Client;
  let db: DataSource;
  /** Superuser session on the scratch database, for tampering. */
  let su: pg.Client;
  // Small pages, so that verifying the test's entries crosses page boundaries.
  const audit = new AuditLog({ pageSize: 7 });

  /** Runs `sql` with the append-only trigger disabled, as someone with the rights to do so would. */
  async function tamper(sql: string, parameters: unknown[] = []): Promise<void> {
    await su.query('BEGIN');
    await su.query('ALTER TABLE exchange.audit_log DISABLE TRIGGER ALL');
    await su.query(sql, parameters);
    await su.query('ALTER TABLE exchange.audit_log ENABLE TRIGGER ALL');
    await su.query('COMMIT');
  }

  async function problems(): Promise<[string, string][]> {
    const result = await audit.verify(db);
    return result.ok ? [] : result.problems.map((p) => [p.seq, p.problem]);
  }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${SCRATCH}`);
    db = createDataSource(scratchUrl(), { lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 15_000 });
    await db.initialize();
    await db.query('CREATE SCHEMA IF NOT EXISTS exchange');
    await db.runMigrations();
    su = new pg.Client({ connectionString: scratchUrl() });
    await su.connect();
  });

  afterAll(async () => {
    await su?.end();
    await db?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH} WITH (FORCE)`);
    await admin.end();
  });

  it('chains batches appended in several transactions, concurrent ones included, and verifies them', async () => {
    // Given batches appended one after the other, then five transactions appending at the same time
    let n = 0;
    for (const size of [1, 5, 12]) {
      await db.transaction((em) =>
        audit.append(
          em,
          Array.from({ length: size }, () => entry(++n)),
        ),
      );
    }
    await Promise.all(
      Array.from({ length: 5 }, () =>
        db.transaction((em) =>
          audit.append(
            em,
            Array.from({ length: 4 }, () => entry(++n)),
          ),
        ),
      ),
    );
    // And a batch rolled back with its transaction
    await expect(
      db.transaction(async (em) => {
        await audit.append(em, [entry(999)]);
        throw new Error('ingest failed');
      }),
    ).rejects.toThrow('ingest failed');

    // When the log is verified
    const result = await audit.verify(db);

    // Then every committed entry is there, seq 1..38 without gaps, and the chain holds
    expect(result).toEqual({
      ok: true,
      entries: 38,
      lastSeq: '38',
      lastHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const { rows } = await su.query<{ seq: string; prev_hash: string; record_id: string }>(
      'SELECT a.seq::text AS seq, a.prev_hash, a.record_id::text AS record_id FROM exchange.audit_log a ORDER BY a.seq',
    );
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 38 }, (_, i) => String(i + 1)));
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    // (record ids were given in upper case: stored, and hashed, as PostgreSQL returns them)
    expect(rows.every((r) => r.record_id === r.record_id.toLowerCase())).toBe(true);
    expect(describeResult(result).lines).toEqual([
      `audit log OK: 38 entries, last hash ${result.ok && result.lastHash}`,
    ]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE while the trigger is enabled', async () => {
    // Given the table as the application sees it
    // When history is changed through SQL, Then the database refuses it with a clear error
    for (const sql of [
      `UPDATE exchange.audit_log SET details = '{"rewritten": true}' WHERE seq = 2`,
      `DELETE FROM exchange.audit_log WHERE seq = 2`,
      `TRUNCATE exchange.audit_log`,
    ]) {
      await expect(db.query(sql)).rejects.toThrow(
        /exchange\.audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused/,
      );
    }
    // And the log is still whole
    expect(await problems()).toEqual([]);
  });

  it('names an entry edited behind the trigger’s back, and is OK again once it is restored', async () => {
    // Given entry 9's details changed by a superuser with the trigger disabled
    const { rows } = await su.query<{ details: string }>(
      'SELECT details::text AS details FROM exchange.audit_log WHERE seq = 9',
    );
    await tamper(
      `UPDATE exchange.audit_log SET details = jsonb_set(details, '{subscriber}', '"shanghai-platform"') WHERE seq = 9`,
    );
    // When the log is verified, Then entry 9 is named as edited
    const result = await audit.verify(db);
    expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem])).toEqual([['9', 'edited']]);
    expect(describeResult(result).lines[0]).toMatch(
      /^entry 9: edited — stored hash [0-9a-f]{64} does not match [0-9a-f]{64}/,
    );
    // And once the original details are put back, the chain holds again
    await tamper('UPDATE exchange.audit_log SET details = $1::jsonb WHERE seq = 9', [rows[0]!.details]);
    expect(await problems()).toEqual([]);
  });

  it('names a deleted entry', async () => {
    // Given entry 20 deleted by a superuser with the trigger disabled
    const { rows } = await su.query('SELECT * FROM exchange.audit_log WHERE seq = 20');
    await tamper('DELETE FROM exchange.audit_log WHERE seq = 20');
    // When the log is verified, Then entry 20 is named as deleted
    const result = await audit.verify(db);
    expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem, p.detail.split(':')[0]])).toEqual([
      ['20', 'deleted', 'entry 20 is missing'],
    ]);
    // And putting it back (INSERT is allowed) restores the chain
    const r = rows[0] as Record<string, unknown>;
    await su.query(
      `INSERT INTO exchange.audit_log (seq, recorded_at, kind, actor, subject_id, record_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        r['seq'],
        r['recorded_at'],
        r['kind'],
        r['actor'],
        r['subject_id'],
        r['record_id'],
        r['details'],
        r['prev_hash'],
        r['hash'],
      ],
    );
    expect(await problems()).toEqual([]);
  });

  it('names a forged entry inserted at the end of the chain', async () => {
    // Given a forged entry written straight into the table, copying entry 10 and its link
    await su.query(
      `INSERT INTO exchange.audit_log (seq, recorded_at, kind, actor, subject_id, record_id, details, prev_hash, hash)
       SELECT 39, recorded_at, kind, 'operator:mallory', subject_id, record_id, '{"forged": true}', prev_hash, hash
         FROM exchange.audit_log WHERE seq = 10`,
    );
    // When the log is verified, Then entry 39 is named (its hash does not cover what it says)
    expect(await problems()).toEqual([['39', 'edited']]);

    // Given instead a self-consistent forgery: hashed correctly, but linked to entry 10 rather than 38
    const { rows } = await su.query<{ hash: string; prev_hash: string }>(
      'SELECT hash, prev_hash FROM exchange.audit_log WHERE seq IN (10, 38) ORDER BY seq',
    );
    await tamper('DELETE FROM exchange.audit_log WHERE seq = 39');
    const forged = {
      seq: '39',
      recordedAt: new Date(),
      kind: 'policy_change',
      actor: 'operator:mallory',
      subjectId: null,
      recordId: null,
      details: { forged: true },
    };
    await su.query(
      `INSERT INTO exchange.audit_log (seq, recorded_at, kind, actor, subject_id, record_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7)`,
      [
        forged.seq,
        forged.recordedAt,
        forged.kind,
        forged.actor,
        JSON.stringify(forged.details),
        rows[0]!.hash,
        hashEntry(rows[0]!.hash, forged),
      ],
    );
    // When the log is verified, Then entry 39 is named as inserted
    const result = await audit.verify(db);
    expect(result.ok ? [] : result.problems.map((p) => [p.seq, p.problem])).toEqual([['39', 'inserted']]);
    expect(result.ok ? '' : result.problems[0]!.detail).toContain(
      `does not match the hash of entry 38 ${rows[1]!.hash}`,
    );

    // And the application appending after it chains on, leaving only the forgery to report
    await db.transaction((em) => audit.append(em, [entry(40)]));
    expect(await problems()).toEqual([['39', 'inserted']]);
  });

  it('refuses to append outside a transaction', async () => {
    await expect(audit.append(db, [entry(1)])).rejects.toThrow(/inside the caller’s transaction/);
    await expect(audit.append(db.manager, [entry(1)])).rejects.toThrow(/inside the caller’s transaction/);
  });

  it('bounds a transaction frozen while it holds the audit lock: others wait at most lock_timeout, and the server ends it', async () => {
    // Given the exchange's connections with short timeouts, and a transaction that appends (taking
    // the global audit lock) and then freezes, as a SIGSTOPped process would, never committing
    const short = createDataSource(scratchUrl(), { lockTimeoutMs: 500, idleInTransactionTimeoutMs: 2_000 });
    await short.initialize();
    const frozen = short.createQueryRunner();
    try {
      await frozen.startTransaction();
      await audit.append(frozen.manager, [entry(1, { actor: 'frozen' })]);
      const within = async <T>(ms: number, p: Promise<T>) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          return await Promise.race([
            p,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
            }),
          ]);
        } finally {
          clearTimeout(timer);
        }
      };

      // When another instance appends meanwhile, it is refused after lock_timeout, not queued for ever
      const t0 = Date.now();
      await expect(
        within(
          5_000,
          short.transaction((em) => audit.append(em, [entry(2)])),
        ),
      ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '55P03' }) });
      expect(Date.now() - t0).toBeLessThan(2_000);

      // And once the frozen session has been idle in its transaction past the timeout, the server has
      // ended it: the lock is free, an append goes through, and the frozen one can no longer commit
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await within(
        5_000,
        short.transaction((em) => audit.append(em, [entry(3, { actor: 'after' })])),
      );
      await expect(frozen.commitTransaction()).rejects.toThrow();
      const { rows } = await su.query<{ actor: string }>(
        `SELECT actor FROM exchange.audit_log WHERE actor IN ('frozen', 'after')`,
      );
      expect(rows.map((r) => r.actor)).toEqual(['after']);
    } finally {
      await frozen.release().catch(() => undefined);
      await short.destroy();
    }
  });
});
