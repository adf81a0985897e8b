import type { SqlRunner } from '@cie/platform';

/** A record a subscriber held at an instant, with the delivery that made it hold that version. */
export interface Holding {
  recordId: string;
  version: number;
  kind: string;
  sector: string;
  subjectId: string;
  lastEvent: string;
  rule: string;
  deliveredAt: string;
}

/** A held record's latest delivery as it went to the feed: what a resync sends again. */
export interface HeldDelivery {
  recordId: string;
  topic: string;
  key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * For each record delivered to subscriber $1 by instant $2, its last delivery, unless that event took
 * the record away (withdrawn, expired, repaired), with the record: the columns asked for.
 */
const heldSql = (columns: string) =>
  `SELECT ${columns}
     FROM (
       SELECT DISTINCT ON (d.record_id) d.*
         FROM exchange.deliveries d
        WHERE d.subscriber_id = $1 AND d.created_at <= $2
        ORDER BY d.record_id, d.created_at DESC, d.delivery_id DESC
     ) l
     JOIN exchange.records r USING (record_id)
    WHERE l.event_type NOT IN ('credit.record.withdrawn', 'credit.record.expired', 'credit.record.repaired')
    ORDER BY l.created_at, l.record_id`;

/**
 * What a subscriber held at an instant, from the delivery ledger (exchange.deliveries): for each
 * record, the last event delivered to it by then, unless that event took the record away
 * (withdrawn, expired, repaired). At now it answers what the view exchange.holdings answers.
 */
export class HoldingsReader {
  async heldAt(db: SqlRunner, subscriberId: string, at: Date): Promise<Holding[]> {
    const rows = await db.query<
      {
        record_id: string;
        version: number;
        kind: string;
        sector: string;
        subject_id: string;
        event_type: string;
        rule: string;
        created_at: Date;
      }[]
    >(heldSql('l.record_id, l.version, r.kind, r.sector, r.subject_id, l.event_type, l.rule, l.created_at'), [
      subscriberId,
      at,
    ]);
    return rows.map((r) => ({
      recordId: r.record_id,
      version: r.version,
      kind: r.kind,
      sector: r.sector,
      subjectId: r.subject_id,
      lastEvent: r.event_type,
      rule: r.rule,
      deliveredAt: r.created_at.toISOString(),
    }));
  }

  /** The latest delivery of each record the subscriber holds at an instant, oldest first. */
  async heldDeliveriesAt(db: SqlRunner, subscriberId: string, at: Date): Promise<HeldDelivery[]> {
    const rows = await db.query<
      {
        record_id: string;
        topic: string;
        message_key: string;
        payload: Buffer;
        headers: Record<string, string>;
      }[]
    >(heldSql('l.record_id, l.topic, l.message_key, l.payload, l.headers'), [subscriberId, at]);
    return rows.map((r) => ({
      recordId: r.record_id,
      topic: r.topic,
      key: r.message_key,
      payload: r.payload,
      headers: r.headers,
    }));
  }
}
