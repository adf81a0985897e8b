import { postgresOptions } from './postgres-options.js';

describe('postgresOptions', () => {
  it('sets lock_timeout and idle_in_transaction_session_timeout on each connection, in ms', () => {
    expect(postgresOptions({ lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 15_000 })).toBe(
      '-c lock_timeout=10000 -c idle_in_transaction_session_timeout=15000',
    );
  });
});
