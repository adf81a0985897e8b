import type { SqlRunner } from '@cie/platform';
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

/** A dispute as the API shows it; dates as the text PostgreSQL keeps (node-postgres would make local midnight). */
export interface DisputeView {
  dispute_id: string;
  record_id: string;
  sector: string;
  agency_id: string;
  version: number;
  status: string;
  filed_at: Date;
  flagged_at: Date | null;
  due_by: string;
  outcome: string | null;
  note: string | null;
  resolved_at: Date | null;
}
export interface RepairView {
  request_id: string;
  record_id: string;
  sector: string;
  status: string;
  filed_at: Date;
  note: string | null;
  decided_at: Date | null;
}
const DISPUTE_VIEW = `dispute_id, record_id, sector, agency_id, version, status, filed_at, flagged_at,
  due_by::text AS due_by, outcome, note, resolved_at`;

/**
 * The only owner of `exchange.disputes` and `exchange.repair_requests` (the API stores a
 * request before it sends the command; a command alone still creates it, idempotently by id).
 */
export class DisputesRepository {
  /** Stores an open dispute; false when one is already open for the record (or the id exists). */
  async fileDispute(em: EntityManager, d: NewDispute): Promise<boolean> {
    const inserted = await em.query<unknown[]>(
      `INSERT INTO exchange.disputes (dispute_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, due_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open') ON CONFLICT DO NOTHING RETURNING dispute_id`,
      [d.disputeId, d.recordId, d.sector, d.agencyId, d.version, d.grounds, d.filedBy, d.filedAt, d.dueBy],
    );
    return inserted.length > 0;
  }

  async disputeView(db: SqlRunner, disputeId: string): Promise<DisputeView | undefined> {
    const [row] = await db.query<DisputeView[]>(
      `SELECT ${DISPUTE_VIEW} FROM exchange.disputes WHERE dispute_id = $1`,
      [disputeId],
    );
    return row;
  }

  /** The latest 1,000 disputes, by status and sector when given. */
  disputeViews(db: SqlRunner, filter: { status?: string; sector?: string }): Promise<DisputeView[]> {
    return db.query<DisputeView[]>(
      `SELECT ${DISPUTE_VIEW} FROM exchange.disputes WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR sector = $2)
       ORDER BY filed_at DESC LIMIT 1000`,
      [filter.status ?? null, filter.sector ?? null],
    );
  }

  async repairView(db: SqlRunner, requestId: string): Promise<RepairView | undefined> {
    const [row] = await db.query<RepairView[]>(
      `SELECT request_id, record_id, sector, status, filed_at, note, decided_at FROM exchange.repair_requests WHERE request_id = $1`,
      [requestId],
    );
    return row;
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

  /** Stores a pending repair request; false when one is already pending for the record (or the id exists). */
  async requestRepair(em: EntityManager, r: NewRepair): Promise<boolean> {
    const inserted = await em.query<unknown[]>(
      `INSERT INTO exchange.repair_requests (request_id, record_id, sector, agency_id, version, grounds, filed_by, filed_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT DO NOTHING RETURNING request_id`,
      [r.requestId, r.recordId, r.sector, r.agencyId, r.version, r.grounds, r.filedBy, r.filedAt],
    );
    return inserted.length > 0;
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
