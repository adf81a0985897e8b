import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where the exchange's outcome of each published event is kept, for the agency to read. */
export function outcomesMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z]+$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return class ExchangeOutcomes1763949600000 implements MigrationInterface {
    name = 'ExchangeOutcomes1763949600000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        ALTER TABLE ${schema}.submissions
          ADD COLUMN outcome text,
          ADD COLUMN outcome_reason text,
          ADD COLUMN exchange_record_id uuid,
          ADD COLUMN outcome_at timestamptz`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(
        `ALTER TABLE ${schema}.submissions DROP COLUMN outcome, DROP COLUMN outcome_reason, DROP COLUMN exchange_record_id, DROP COLUMN outcome_at`,
      );
    }
  };
}
