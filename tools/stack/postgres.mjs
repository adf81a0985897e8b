// PostgreSQL helpers for local dev and tests: wait for a server, (re)create a named database.
// The server is the machine's PostgreSQL (127.0.0.1:5432, user postgres), except the private cluster
// below, which only fault injection starts and stops.
//
//   import { ensureDatabase } from './tools/stack/postgres.mjs';
//   const url = await ensureDatabase({ name: 'cie_test', fresh: true });

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const NAME = /^[a-z][a-z0-9_]*$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Host, port, user and password of `adminUrl`, with the database swapped for `name`. */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Connects to `adminUrl`, drops database `name` first when `fresh` (ending every other session on
 * it), creates it when missing, and returns its connection URL.
 */
export async function ensureDatabase({ adminUrl = DEFAULT_ADMIN_URL, name, fresh = false } = {}) {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new Error(`postgres: invalid database name ${JSON.stringify(name)} (must match ${NAME})`);
  }
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`postgres: cannot connect to ${redact(adminUrl)}: ${err.message}`);
  }
  try {
    // The name is validated above, so quoting it as an identifier is safe.
    const ident = `"${name}"`;
    if (fresh) {
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
      await client.query(`drop database if exists ${ident}`);
    }
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      try {
        await client.query(`create database ${ident}`);
      } catch (err) {
        // Another process created it between our check and create: that is fine.
        if (err.code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  return databaseUrl(adminUrl, name);
}

/** Resolves once `select 1` succeeds on `url`; rejects with the last error after `timeoutMs`. */
export async function waitForPostgres(url = DEFAULT_ADMIN_URL, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      last = err;
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() >= deadline) {
      throw new Error(`postgres: ${redact(url)} not answering after ${timeoutMs / 1000} s: ${last?.message}`);
    }
    await sleep(250);
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster, for faults that stop the server (npm run chaos pg-stop): its own
// data directory and port, started and stopped with pg_ctl, never the machine's server on 5432.

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL program as the postgres user (initdb and the server refuse to run as root). */
function asPostgres(program, args) {
  const command = path.join(PG_BIN, program);
  const [file, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts (creating it the first time) a throwaway cluster in `dir` on 127.0.0.1:`port`, trusting
 * local connections, and returns its admin URL. `port` must not be 5432.
 */
export async function startPrivatePostgres({ dir, port, logFile }) {
  if (Number(port) === 5432) throw new Error('postgres: the private cluster must not use 5432');
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      fs.chownSync(dir, uid, gid);
    }
    asPostgres('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  }
  await startPostgresServer({ dir, port, logFile });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForPostgres(adminUrl, 30_000);
  return { adminUrl, dir, port };
}

/**
 * Starts the server of an existing private cluster (after stopPrivatePostgres). Its log is `logFile`
 * (default `server.log` in `dir`; elsewhere when `dir` is a tmpfs that fills up: pg-disk-full).
 */
export async function startPostgresServer({ dir, port, logFile = path.join(dir, 'server.log') }) {
  if (!fs.existsSync(logFile)) {
    // The server writes it as the postgres user.
    fs.writeFileSync(logFile, '');
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', logFile]);
  }
  asPostgres('pg_ctl', [
    '-D',
    dir,
    '-l',
    logFile,
    '-w',
    '-t',
    '30',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`,
    'start',
  ]);
}

/** Stops a private cluster: `immediate` is a crash (no checkpoint, every session cut), `fast` a clean stop. */
export function stopPrivatePostgres({ dir, mode = 'fast' }) {
  if (!fs.existsSync(path.join(dir, 'postmaster.pid'))) return;
  asPostgres('pg_ctl', ['-D', dir, '-m', mode, '-w', 'stop']);
}
