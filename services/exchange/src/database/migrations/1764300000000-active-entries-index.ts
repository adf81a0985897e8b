import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subject's active entries of one list type (the watch entries a serious violation upgrades),
 * found without walking the subject's whole history of entries, most of which have ended.
 */
export class ActiveEntriesIndex1764300000000 implements MigrationInterface {
  name = 'ActiveEntriesIndex1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX list_entries_active_idx ON exchange.list_entries (subject_id, list_type) WHERE state = 'active'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX exchange.list_entries_active_idx`);
  }
}
