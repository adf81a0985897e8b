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
