import type { EntityManager } from 'typeorm';
import type { DisputeState, RepairState } from './domain/deciders.js';

export interface DisputeRow extends DisputeState {
  recordId: string;
  filedAt: Date;
}
export interface RepairRow extends RepairState {
  recordId: string;
}
export interface NewDispute {
  disputeId: string;
  recordId: string;
  sector: string;
  agencyId: string;
  version: number;
  grounds: string;
  filedBy: string;
  filedAt: Date;
  dueBy: string;
}
export type NewRepair = Omit<NewDispute, 'disputeId' | 'dueBy'> & { requestId: string };

const DISPUTE = `dispute_id AS "disputeId", record_id AS "recordId", sector, agency_id AS "agencyId", version, status, filed_at AS "filedAt"`;
const REPAIR = `request_id AS "requestId", record_id AS "recordId", sector, agency_id AS "agencyId", status`;

/**
 * The lifecycle's writes to `exchange.disputes` and `exchange.repair_requests` (the API stores a
 * request before it sends the command; a command alone still creates it, idempotently by id).
 */
export class DisputesRepository {
  async fileDispute(em: EntityManager, d: NewDispute): Promise<void> {
    await em.query(
      `INSERT INTO exchange.disputes (dispute_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, due_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') ON CONFLICT (dispute_id) DO NOTHING`,
      [d.disputeId, d.recordId, d.sector, d.agencyId, d.version, d.grounds, d.filedBy, d.filedAt, d.dueBy],
    );
  }

  async lockDispute(em: EntityManager, disputeId: string): Promise<DisputeRow | undefined> {
    const [row] = await em.query<DisputeRow[]>(
      `SELECT ${DISPUTE} FROM exchange.disputes WHERE dispute_id = $1 FOR UPDATE`,
      [disputeId],
    );
    return row;
  }

  async markFlagged(em: EntityManager, disputeId: string, at: Date): Promise<void> {
    await em.query(`UPDATE exchange.disputes SET flagged_at = $2 WHERE dispute_id = $1`, [disputeId, at]);
  }

  async closeDispute(
    em: EntityManager,
    disputeId: string,
    outcome: string,
    note: string,
    at: Date,
  ): Promise<void> {
    await em.query(
      `UPDATE exchange.disputes SET status = 'resolved', outcome = $2, note = $3, resolved_at = $4 WHERE dispute_id = $1`,
      [disputeId, outcome, note, at],
    );
  }

  async requestRepair(em: EntityManager, r: NewRepair): Promise<void> {
    await em.query(
      `INSERT INTO exchange.repair_requests (request_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT (request_id) DO NOTHING`,
      [r.requestId, r.recordId, r.sector, r.agencyId, r.version, r.grounds, r.filedBy, r.filedAt],
    );
  }

  async lockRepair(em: EntityManager, requestId: string): Promise<RepairRow | undefined> {
    const [row] = await em.query<RepairRow[]>(
      `SELECT ${REPAIR} FROM exchange.repair_requests WHERE request_id = $1 FOR UPDATE`,
      [requestId],
    );
    return row;
  }

  async decideRepair(
    em: EntityManager,
    requestId: string,
    status: string,
    note: string,
    at: Date,
  ): Promise<void> {
    await em.query(
      `UPDATE exchange.repair_requests SET status = $2, note = $3, decided_at = $4 WHERE request_id = $1`,
      [requestId, status, note, at],
    );
  }

  /** The scheduler may ask again once a corrected, later end has passed. */
  async forgetExpiryRequest(em: EntityManager, recordId: string): Promise<void> {
    await em.query(`DELETE FROM exchange.expiry_requests WHERE record_id = $1`, [recordId]);
  }
}
