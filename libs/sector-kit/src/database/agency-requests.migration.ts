import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the exchange asks of the sector's agencies (DESIGN §8): disputes about their records and
 * credit repair requests, with the agency's answer once given.
 */
export function agencyRequestsMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z]+$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  return class AgencyRequests1764003600000 implements MigrationInterface {
    name = 'AgencyRequests1764003600000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${schema}.agency_requests (
          request_id uuid PRIMARY KEY,
          kind text NOT NULL CHECK (kind IN ('dispute', 'repair')),
          agency_id text NOT NULL,
          source_record_id text NOT NULL,
          record_id uuid NOT NULL,
          record_type text NOT NULL,
          version int NOT NULL,
          grounds text NOT NULL,
          filed_by text NOT NULL,
          filed_at timestamptz NOT NULL,
          due_by date,
          status text NOT NULL,
          answer text,
          note text,
          answered_at timestamptz,
          answer_event_id uuid,
          received_at timestamptz NOT NULL
        )`);
      await q.query(
        `CREATE INDEX agency_requests_inbox_idx ON ${schema}.agency_requests (agency_id, kind, status, filed_at)`,
      );
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${schema}.agency_requests`);
    }
  };
}
