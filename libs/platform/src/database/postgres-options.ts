import type { DatabaseTimeouts } from '../config/common-config.js';

/**
 * node-postgres `options` (the startup packet's `-c` settings) for every connection of a pool: a
 * lock wait and a session idle inside a transaction are bounded by the server itself, so a process
 * frozen mid-transaction cannot hold a lock (the global audit advisory lock) for ever.
 */
export function postgresOptions(timeouts: DatabaseTimeouts): string {
  return [
    `-c lock_timeout=${Math.round(timeouts.lockTimeoutMs)}`,
    `-c idle_in_transaction_session_timeout=${Math.round(timeouts.idleInTransactionTimeoutMs)}`,
  ].join(' ');
}

/**
 * A connection pool's `extra` settings besides its size and name: the session timeouts, and a bound
 * on getting a connection (a new one, or a free one of the pool), so that a request is answered 503
 * when PostgreSQL does not answer at all rather than left waiting. Generous: under load a request
 * may wait a few seconds for a free connection, and 5 s refused a quarter of a chaos run's records.
 */
export function postgresPoolSettings(timeouts: DatabaseTimeouts): {
  options: string;
  connectionTimeoutMillis: number;
} {
  return { options: postgresOptions(timeouts), connectionTimeoutMillis: 30_000 };
}
