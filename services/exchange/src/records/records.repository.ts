import { insertRows } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { CanonicalRecord, RecordStatusName } from '../domain/canonical-record.js';
import type { NormalisedRecord } from '../domain/normalise/index.js';
import type { SubjectIdentityService } from '../identity/subject-identity.service.js';

/** A record as its lifecycle needs it, locked for the transaction. */
export interface HeldRecord {
  recordId: string;
  sector: string;
  agencyId: string;
  currentVersion: number;
  status: RecordStatusName;
  openDisputeId: string | null;
}

interface RecordRow {
  record_id: string;
  sector: string;
  agency_id: string;
  source_record_id: string;
  subject_id: string;
  kind: string;
  status: RecordStatusName;
  current_version: number;
  created_at: Date;
}
interface VersionRow {
  record_id: string;
  version: number;
  body: CanonicalRecord;
  source_event_id: string;
  recorded_at: Date;
  valid_from: Date;
  valid_to: Date | null;
}
interface SubjectRow {
  canonical_id: string;
  kind: string;
  name: string;
  region_code: string;
  id_number_encrypted: Buffer | null;
  created_at: Date;
  updated_at: Date;
}

const HELD = `record_id AS "recordId", sector, agency_id AS "agencyId", current_version AS "currentVersion", status, open_dispute_id AS "openDisputeId"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The only owner of `exchange.records`, `exchange.record_versions` and `exchange.subjects`: the
 * records, their append-only versions (valid from / to) and their subjects, a person's number
 * sealed at rest. Every method runs in the caller's transaction.
 */
export class RecordsRepository {
  constructor(private readonly identity: SubjectIdentityService) {}

  async lock(em: EntityManager, recordId: string): Promise<HeldRecord | undefined> {
    if (!UUID.test(recordId)) return undefined;
    const [row] = await em.query<HeldRecord[]>(
      `SELECT ${HELD} FROM exchange.records WHERE record_id = $1 FOR UPDATE`,
      [recordId],
    );
    return row;
  }

  /** The record, locked, with its current version. */
  async lockWithCurrent(
    em: EntityManager,
    recordId: string,
  ): Promise<{ held: HeldRecord; record: CanonicalRecord } | undefined> {
    const held = await this.lock(em, recordId);
    return held && { held, record: await this.current(em, held) };
  }

  async lockBySource(
    em: EntityManager,
    agencyId: string,
    sourceRecordId: string,
  ): Promise<HeldRecord | undefined> {
    const [row] = await em.query<HeldRecord[]>(
      `SELECT ${HELD} FROM exchange.records WHERE agency_id = $1 AND source_record_id = $2 FOR UPDATE`,
      [agencyId, sourceRecordId],
    );
    return row;
  }

  async version(em: EntityManager, recordId: string, version: number): Promise<CanonicalRecord> {
    const [row] = await em.query<{ body: CanonicalRecord }[]>(
      `SELECT body FROM exchange.record_versions WHERE record_id = $1 AND version = $2`,
      [recordId, version],
    );
    if (!row) throw new Error(`record ${recordId} has no version ${version}`);
    return row.body;
  }

  current(em: EntityManager, held: HeldRecord): Promise<CanonicalRecord> {
    return this.version(em, held.recordId, held.currentVersion);
  }

  /** New records with their first versions; returns the ids actually inserted (not already published). */
  async insertNew(
    em: EntityManager,
    records: { normalised: NormalisedRecord; sourceEventId: string }[],
    now: Date,
  ): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    await this.upsertSubjects(
      em,
      records.map((r) => r.normalised),
      now,
    );
    const inserted = await insertRows<RecordRow, { record_id: string }>(
      em,
      'exchange.records',
      [
        'record_id',
        'sector',
        'agency_id',
        'source_record_id',
        'subject_id',
        'kind',
        'status',
        'current_version',
        'created_at',
      ],
      records.map(({ normalised: { record: r } }) => ({
        record_id: r.recordId,
        sector: r.source.sector,
        agency_id: r.source.agencyId,
        source_record_id: r.source.sourceRecordId,
        subject_id: r.subject.canonicalId,
        kind: r.kind,
        status: r.status,
        current_version: r.version,
        created_at: now,
      })),
      `ON CONFLICT (agency_id, source_record_id) DO NOTHING RETURNING record_id`,
    );
    const ids = new Set(inserted.map((r) => r.record_id));
    await this.insertVersions(
      em,
      records
        .filter((r) => ids.has(r.normalised.record.recordId))
        .map((r) => ({ record: r.normalised.record, sourceEventId: r.sourceEventId })),
      now,
    );
    return ids;
  }

  /** A correction: the held version closes, the new one (its number already set) becomes current. */
  async addVersion(
    em: EntityManager,
    held: HeldRecord,
    normalised: NormalisedRecord,
    sourceEventId: string,
    now: Date,
  ): Promise<void> {
    const { record } = normalised;
    await this.upsertSubjects(em, [normalised], now);
    await this.closeVersion(em, held, now);
    await this.insertVersions(em, [{ record, sourceEventId }], now);
    await em.query(
      `UPDATE exchange.records SET current_version = $2, status = $3, subject_id = $4 WHERE record_id = $1`,
      [held.recordId, record.version, record.status, record.subject.canonicalId],
    );
  }

  /** The record's disclosure ends (withdrawn, expired, repaired): its current version closes. */
  async end(em: EntityManager, held: HeldRecord, status: RecordStatusName, now: Date): Promise<void> {
    await this.closeVersion(em, held, now);
    await em.query(`UPDATE exchange.records SET status = $2 WHERE record_id = $1`, [held.recordId, status]);
  }

  /** Flags (or, with `null`, unflags when `disputeId` is the open one) the record's open dispute. */
  async setOpenDispute(
    em: EntityManager,
    recordId: string,
    disputeId: string | null,
    ifOpen?: string,
  ): Promise<void> {
    if (disputeId === null)
      await em.query(
        `UPDATE exchange.records SET open_dispute_id = NULL WHERE record_id = $1 AND open_dispute_id = $2`,
        [recordId, ifOpen],
      );
    else
      await em.query(`UPDATE exchange.records SET open_dispute_id = $2 WHERE record_id = $1`, [
        recordId,
        disputeId,
      ]);
  }

  /** The current version of every record that has not ended, for a policy change (demo scale: one query). */
  async openRecords(em: EntityManager): Promise<CanonicalRecord[]> {
    const rows = await em.query<{ body: CanonicalRecord }[]>(
      `SELECT v.body FROM exchange.records r
         JOIN exchange.record_versions v ON v.record_id = r.record_id AND v.version = r.current_version
        WHERE r.status NOT IN ('withdrawn', 'expired', 'repaired')
        ORDER BY r.record_id`,
    );
    return rows.map((r) => r.body);
  }

  /** The identity number a feed may carry: a company's code, or a person's number unsealed. */
  async clearIdOf(em: EntityManager, record: CanonicalRecord): Promise<string> {
    if (record.subject.kind !== 'natural_person') return record.subject.canonicalId;
    const [row] = await em.query<Pick<SubjectRow, 'id_number_encrypted'>[]>(
      `SELECT id_number_encrypted FROM exchange.subjects WHERE canonical_id = $1`,
      [record.subject.canonicalId],
    );
    if (!row?.id_number_encrypted)
      throw new Error(`subject ${record.subject.canonicalId} has no sealed identity number`);
    return this.identity.decrypt(row.id_number_encrypted);
  }

  private async closeVersion(em: EntityManager, held: HeldRecord, now: Date): Promise<void> {
    await em.query(
      `UPDATE exchange.record_versions SET valid_to = $3 WHERE record_id = $1 AND version = $2 AND valid_to IS NULL`,
      [held.recordId, held.currentVersion, now],
    );
  }

  private async insertVersions(
    em: EntityManager,
    versions: { record: CanonicalRecord; sourceEventId: string }[],
    now: Date,
  ): Promise<void> {
    await insertRows<VersionRow>(
      em,
      'exchange.record_versions',
      ['record_id', 'version', 'body', 'source_event_id', 'recorded_at', 'valid_from', 'valid_to'],
      versions.map(({ record, sourceEventId }) => ({
        record_id: record.recordId,
        version: record.version,
        body: record,
        source_event_id: sourceEventId,
        recorded_at: now,
        valid_from: now,
        valid_to: null,
      })),
    );
  }

  /** Subjects of new or corrected records: name kept current, a person's number sealed at rest. */
  private async upsertSubjects(em: EntityManager, records: NormalisedRecord[], now: Date): Promise<void> {
    // In key order: batches of other partitions upsert the same subjects at the same time, and rows
    // locked in one order everywhere cannot deadlock.
    const subjects = new Map(
      records
        .map((n) => [n.record.subject.canonicalId, n] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    await insertRows<SubjectRow>(
      em,
      'exchange.subjects',
      ['canonical_id', 'kind', 'name', 'region_code', 'id_number_encrypted', 'created_at', 'updated_at'],
      [...subjects.values()].map(({ record: { subject }, clearIdNumber }) => ({
        canonical_id: subject.canonicalId,
        kind: subject.kind,
        name: subject.name,
        region_code: subject.regionCode,
        id_number_encrypted: subject.kind === 'natural_person' ? this.identity.encrypt(clearIdNumber) : null,
        created_at: now,
        updated_at: now,
      })),
      `ON CONFLICT (canonical_id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at`,
    );
  }
}
