import { type DatabaseTimeouts, postgresPoolSettings } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities.js';
import { initialSchema } from './migrations/1764000000000-initial-schema.js';
import { measureTasks } from './migrations/1764100000000-measure-tasks.js';

/** One platform's database: its own schema, migrations committed and run at start (never synchronize). */
export function createDataSource(url: string, schema: string, timeouts: DatabaseTimeouts): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [initialSchema(schema), measureTasks(schema)],
    schema,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    extra: { max: 5, application_name: `regional-platform:${schema}`, ...postgresPoolSettings(timeouts) },
  });
}

/** Creates the schema (its migrations table lives in it) and brings it up to date. */
export async function openDatabase(
  url: string,
  schema: string,
  timeouts: DatabaseTimeouts,
): Promise<DataSource> {
  const db = createDataSource(url, schema, timeouts);
  await db.initialize();
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await db.runMigrations();
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
