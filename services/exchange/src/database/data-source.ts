import { type DatabaseTimeouts, postgresPoolSettings } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities.js';
import { InitialSchema1763769600000 } from './migrations/1763769600000-initial-schema.js';
import { AuditLog1763942400000 } from './migrations/1763942400000-audit-log.js';
import { OutcomeMessages1763956800000 } from './migrations/1763956800000-outcome-messages.js';
import { DeadLetterReplay1763960400000 } from './migrations/1763960400000-dead-letter-replay.js';
import { Lifecycle1764000000000 } from './migrations/1764000000000-lifecycle.js';
import { PolicyVersions1764007200000 } from './migrations/1764007200000-policy-versions.js';
import { HoldingsView1764010800000 } from './migrations/1764010800000-holdings-view.js';
import { RepeatedDisputes1764014400000 } from './migrations/1764014400000-repeated-disputes.js';
import { JointMeasures1764100000000 } from './migrations/1764100000000-joint-measures.js';
import { Receipts1764103600000 } from './migrations/1764103600000-receipts.js';
import { AuditEntriesView1764200000000 } from './migrations/1764200000000-audit-entries-view.js';
import { ActiveEntriesIndex1764300000000 } from './migrations/1764300000000-active-entries-index.js';

/** The exchange's database: its own schema, migrations committed and run at start (never synchronize). */
export function createDataSource(url: string, timeouts: DatabaseTimeouts): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [
      InitialSchema1763769600000,
      AuditLog1763942400000,
      OutcomeMessages1763956800000,
      DeadLetterReplay1763960400000,
      Lifecycle1764000000000,
      PolicyVersions1764007200000,
      HoldingsView1764010800000,
      RepeatedDisputes1764014400000,
      JointMeasures1764100000000,
      Receipts1764103600000,
      AuditEntriesView1764200000000,
      ActiveEntriesIndex1764300000000,
    ],
    schema: 'exchange',
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: { max: 10, application_name: 'exchange', ...postgresPoolSettings(timeouts) },
  });
}

/**
 * Creates the schema and runs pending migrations under a PostgreSQL advisory lock, so that exchange
 * instances starting together (a rollout, a scaled Deployment) migrate one at a time.
 */
export async function migrate(db: DataSource): Promise<void> {
  const lock = db.createQueryRunner();
  try {
    // Another instance may be migrating for longer than lock_timeout: this wait is the one unbounded.
    await lock.query(`SET lock_timeout = 0`);
    await lock.query(`SELECT pg_advisory_lock(hashtext('exchange.migrations'))`);
    await db.query('CREATE SCHEMA IF NOT EXISTS exchange');
    await db.runMigrations();
  } finally {
    await lock.query(`SELECT pg_advisory_unlock(hashtext('exchange.migrations'))`).catch(() => undefined);
    await lock.query(`RESET lock_timeout`).catch(() => undefined);
    await lock.release();
  }
}
