import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every version of the subscriber policy (both sides), as loaded, with who recorded it (DESIGN §7, §10). */
export class PolicyVersions1764007200000 implements MigrationInterface {
  name = 'PolicyVersions1764007200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange.policy_versions (
        sha256 text PRIMARY KEY,
        version text NOT NULL,
        document jsonb NOT NULL,
        previous_sha256 text,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL
      )`);
    await q.query(`CREATE INDEX policy_versions_recorded_idx ON exchange.policy_versions (recorded_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange.policy_versions`);
  }
}
