// Verifies the exchange's audit log hash chain:
//
//   DATABASE_URL=postgres://… node services/exchange/dist/audit/verify-audit.js
//
// Prints `audit log OK: N entries, last hash H` and exits 0, or prints each problem found
// (`entry 42: edited — stored hash … does not match …`) and exits 1; exits 2 when it cannot check.
// Read-only. The chain proves nothing about entries after the last hash kept outside the database:
// record the printed last hash somewhere else from time to time, and compare it with a later run.
import 'reflect-metadata';
import { loadConfig } from '@cie/platform';
import { Matches } from 'class-validator';
import pg from 'pg';
import { AuditLog } from './audit-log.js';
import type { VerifyResult } from './audit-chain.js';

class VerifyAuditConfig {
  /** postgres://user:password@host:port/database of the exchange. */
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;
}

/** The report's lines, and whether the chain is intact. */
export function describeResult(result: VerifyResult): { ok: boolean; lines: string[] } {
  if (result.ok) {
    return { ok: true, lines: [`audit log OK: ${result.entries} entries, last hash ${result.lastHash}`] };
  }
  return {
    ok: false,
    lines: [
      ...result.problems.map((p) => `entry ${p.seq}: ${p.problem} — ${p.detail}`),
      `audit log BROKEN: ${result.problems.length} problem(s) in ${result.entries} entries`,
    ],
  };
}

async function main(): Promise<number> {
  // A command-line entry point, like main.ts: the environment is its configuration.
  // eslint-disable-next-line no-restricted-properties
  const config = loadConfig(VerifyAuditConfig, process.env);
  const client = new pg.Client({ connectionString: config.DATABASE_URL, application_name: 'audit-verify' });
  await client.connect();
  try {
    const db = {
      query: async <T>(sql: string, parameters?: unknown[]): Promise<T> =>
        (await client.query(sql, parameters)).rows as T,
    };
    const { ok, lines } = describeResult(await new AuditLog().verify(db));
    for (const line of lines) console.log(line);
    return ok ? 0 : 1;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const missing = (error as { code?: string }).code === '42P01';
      const text = error instanceof Error ? error.message : String(error);
      console.error(
        `audit-verify: ${text}${missing ? ' (has the exchange run its migrations on this database?)' : ''}`,
      );
      process.exit(2);
    },
  );
}
