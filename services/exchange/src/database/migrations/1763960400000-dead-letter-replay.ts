import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When an operator sent a dead letter back through the exchange. */
export class DeadLetterReplay1763960400000 implements MigrationInterface {
  name = 'DeadLetterReplay1763960400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE exchange.dead_letters ADD COLUMN replayed_at timestamptz`);
    await q.query(`CREATE INDEX dead_letters_created_idx ON exchange.dead_letters (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX exchange.dead_letters_created_idx`);
    await q.query(`ALTER TABLE exchange.dead_letters DROP COLUMN replayed_at`);
  }
}
