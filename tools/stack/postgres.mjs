// PostgreSQL helpers for local dev and tests: wait for a server, (re)create a named database.
// The server itself is the machine's PostgreSQL (127.0.0.1:5432, user postgres); nothing is started here.
//
//   import { ensureDatabase } from './tools/stack/postgres.mjs';
//   const url = await ensureDatabase({ name: 'cie_test', fresh: true });

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
