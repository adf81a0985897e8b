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
    >(
      `SELECT l.record_id, l.version, r.kind, r.sector, r.subject_id, l.event_type, l.rule, l.created_at
         FROM (
           SELECT DISTINCT ON (d.record_id) d.record_id, d.version, d.event_type, d.rule, d.created_at
             FROM exchange.deliveries d
            WHERE d.subscriber_id = $1 AND d.created_at <= $2
            ORDER BY d.record_id, d.created_at DESC, d.delivery_id DESC
         ) l
         JOIN exchange.records r USING (record_id)
        WHERE l.event_type NOT IN ('credit.record.withdrawn', 'credit.record.expired', 'credit.record.repaired')
        ORDER BY l.created_at, l.record_id`,
      [subscriberId, at],
    );
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
}
