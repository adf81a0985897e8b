import { insertRows } from '@cie/platform';
import type { EntityManager } from 'typeorm';

/** One feed message as the ledger keeps it: what went to whom, under which rule, from which source. */
export interface DeliveryRow {
  delivery_id: string;
  record_id: string;
  version: number;
  subscriber_id: string;
  event_type: string;
  rule: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  created_at: Date;
}

const COLUMNS = [
  'delivery_id',
  'record_id',
  'version',
  'subscriber_id',
  'event_type',
  'rule',
  'topic',
  'message_key',
  'payload',
  'headers',
  'source_topic',
  'source_partition',
  'source_offset',
  'created_at',
] as const satisfies readonly (keyof DeliveryRow)[];

/**
 * The only owner of `exchange.deliveries` (the delivery ledger) and its `exchange.holdings` view:
 * who was sent which version of which record, and who holds a record today.
 */
export class LedgerRepository {
  async insert(em: EntityManager, rows: DeliveryRow[]): Promise<void> {
    await insertRows<DeliveryRow>(em, 'exchange.deliveries', COLUMNS, rows);
  }

  /**
   * The subscribers that hold the record: every one it was delivered to, except those whose last
   * event about it removed it (withdrawn, expired, repaired, or withdrawn when an entitlement ended).
   */
  async holders(em: EntityManager, recordId: string): Promise<Set<string>> {
    const rows = await em.query<{ subscriber_id: string }[]>(
      `SELECT subscriber_id FROM exchange.holdings WHERE record_id = $1 ORDER BY subscriber_id`,
      [recordId],
    );
    return new Set(rows.map((r) => r.subscriber_id));
  }

  /** Every held (record, subscriber) pair, for a policy change. */
  async allHoldings(em: EntityManager): Promise<Map<string, Set<string>>> {
    const rows = await em.query<{ record_id: string; subscriber_id: string }[]>(
      `SELECT record_id, subscriber_id FROM exchange.holdings ORDER BY record_id, subscriber_id`,
    );
    const held = new Map<string, Set<string>>();
    for (const { record_id, subscriber_id } of rows)
      held.set(record_id, (held.get(record_id) ?? new Set()).add(subscriber_id));
    return held;
  }
}
