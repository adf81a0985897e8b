import type { DataSource, EntityManager } from 'typeorm';
import { HeldRecordRow, ProcessedEventRow, TombstoneRow } from '../database/entities.js';
import type { Change } from '../domain/apply-feed-event.js';
import type { DeletionEventType, HeldRecord, Holding, Tombstone } from '../domain/holding.js';

export interface FeedPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** What the platform holds, in its own schema. Reads for the API, writes inside the caller's transaction. */
export class HoldingsRepository {
  constructor(private readonly db: DataSource) {}

  /** What is known about a record, its row locked until the transaction ends. */
  async holdingForUpdate(m: EntityManager, recordId: string): Promise<Holding> {
    const held = await m.findOne(HeldRecordRow, {
      where: { recordId },
      lock: { mode: 'pessimistic_write' },
    });
    if (held) return { state: 'held', record: toHeld(held) };
    const tombstone = await m.findOneBy(TombstoneRow, { recordId });
    return tombstone ? { state: 'removed', tombstone: toTombstone(tombstone) } : { state: 'none' };
  }

  async isProcessed(m: EntityManager, eventId: string): Promise<boolean> {
    return (await m.countBy(ProcessedEventRow, { eventId })) > 0;
  }

  async apply(m: EntityManager, change: Change): Promise<void> {
    switch (change.type) {
      case 'hold':
        await m.upsert(HeldRecordRow, toRow(change.record), ['recordId']);
        // A record held again at a newer version than it was removed at.
        await m.delete(TombstoneRow, { recordId: change.record.recordId });
        return;
      case 'remove':
        await m.delete(HeldRecordRow, { recordId: change.tombstone.recordId });
        await m.upsert(TombstoneRow, { ...change.tombstone }, ['recordId']);
        return;
      case 'none':
        return;
    }
  }

  async markProcessed(m: EntityManager, row: ProcessedEventRow): Promise<void> {
    await m.insert(ProcessedEventRow, row);
  }

  async findBySubject(subjectId: string): Promise<HeldRecord[]> {
    const rows = await this.db.getRepository(HeldRecordRow).find({
      where: { subjectId },
      order: { updatedAt: 'ASC', recordId: 'ASC' },
    });
    return rows.map(toHeld);
  }

  async find(recordId: string): Promise<Holding> {
    return this.db.transaction(async (m) => {
      const held = await m.findOneBy(HeldRecordRow, { recordId });
      if (held) return { state: 'held', record: toHeld(held) };
      const tombstone = await m.findOneBy(TombstoneRow, { recordId });
      return tombstone ? { state: 'removed', tombstone: toTombstone(tombstone) } : { state: 'none' };
    });
  }
}

function toHeld(row: HeldRecordRow): HeldRecord {
  return {
    recordId: row.recordId,
    version: row.version,
    kind: row.kind,
    category: row.category,
    polarity: row.polarity,
    severity: row.severity,
    status: row.status,
    subject: {
      canonicalId: row.subjectId,
      kind: row.subjectKind,
      name: row.subjectName,
      regionCode: row.subjectRegion,
      idNumber: row.subjectIdNumber,
    },
    source: row.source as HeldRecord['source'],
    disclosure: row.disclosure as HeldRecord['disclosure'],
    attributes: row.attributes,
    disputed: row.disputed,
    disputeId: row.disputeId,
    disputeOutcome: row.disputeOutcome,
    receivedEventId: row.receivedEventId,
    updatedAt: row.updatedAt,
  };
}

function toRow(record: HeldRecord): HeldRecordRow {
  return {
    recordId: record.recordId,
    version: record.version,
    kind: record.kind,
    category: record.category,
    polarity: record.polarity,
    severity: record.severity,
    status: record.status,
    subjectId: record.subject.canonicalId,
    subjectKind: record.subject.kind,
    subjectName: record.subject.name,
    subjectRegion: record.subject.regionCode,
    subjectIdNumber: record.subject.idNumber,
    source: { ...record.source },
    disclosure: { ...record.disclosure },
    attributes: record.attributes,
    disputed: record.disputed,
    disputeId: record.disputeId,
    disputeOutcome: record.disputeOutcome,
    receivedEventId: record.receivedEventId,
    updatedAt: record.updatedAt,
  };
}

function toTombstone(row: TombstoneRow): Tombstone {
  return {
    recordId: row.recordId,
    version: row.version,
    eventType: row.eventType as DeletionEventType,
    reason: row.reason,
    eventId: row.eventId,
    removedAt: row.removedAt,
  };
}
