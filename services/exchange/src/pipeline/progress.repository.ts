import { insertRows, type SqlRunner } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { OutboundMessage } from '../outbound.js';

export interface ProcessedRow {
  event_id: string;
  topic: string;
  partition: number;
  offset: string;
  outcome: 'stored' | 'dead_lettered';
  processed_at: Date;
}

/**
 * The only owner of `exchange.consumer_progress` and `exchange.processed_events`: how far each
 * partition's outputs are known to be published, and which event ids were processed where. With
 * the outputs stored under their source position (ledger, dead letters, outcome messages), these
 * make the pipeline exactly-once across PostgreSQL and Kafka.
 */
export class ProgressRepository {
  /** Offsets below this were published with their offsets committed: a replay publishes nothing. */
  async committedBelow(em: EntityManager, topic: string, partition: number): Promise<bigint> {
    const [row] = await em.query<{ next_offset: string }[]>(
      `SELECT next_offset FROM exchange.consumer_progress WHERE topic = $1 AND partition = $2`,
      [topic, partition],
    );
    return BigInt(row?.next_offset ?? '0');
  }

  /** Records, after the Kafka transaction committed, that outputs below `nextOffset` are published. */
  async markCommitted(db: SqlRunner, topic: string, partition: number, nextOffset: string): Promise<void> {
    await db.query(
      `INSERT INTO exchange.consumer_progress (topic, partition, next_offset, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (topic, partition)
       DO UPDATE SET next_offset = GREATEST(exchange.consumer_progress.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [topic, partition, nextOffset],
    );
  }

  /**
   * `markCommitted` for the slices of one Kafka transaction at once (one statement, one WAL flush).
   * A partition may appear more than once: the highest offset wins.
   */
  async markAllCommitted(
    db: SqlRunner,
    positions: readonly { topic: string; partition: number; nextOffset: string }[],
  ): Promise<void> {
    if (positions.length === 0) return;
    await db.query(
      `INSERT INTO exchange.consumer_progress (topic, partition, next_offset, updated_at)
       SELECT topic, partition, max(next_offset), now() FROM unnest($1::text[], $2::int[], $3::bigint[]) AS p(topic, partition, next_offset)
        GROUP BY topic, partition
       ON CONFLICT (topic, partition)
       DO UPDATE SET next_offset = GREATEST(exchange.consumer_progress.next_offset, EXCLUDED.next_offset), updated_at = now()`,
      [positions.map((p) => p.topic), positions.map((p) => p.partition), positions.map((p) => p.nextOffset)],
    );
  }

  /** The stored progress of a partition when it is beyond `end` (the partition's end offset). */
  async progressBeyond(
    db: SqlRunner,
    topic: string,
    partition: number,
    end: string,
  ): Promise<string | undefined> {
    const [row] = await db.query<{ next_offset: string }[]>(
      `SELECT next_offset::text AS next_offset FROM exchange.consumer_progress WHERE topic = $1 AND partition = $2 AND next_offset > $3`,
      [topic, partition, end],
    );
    return row?.next_offset;
  }

  /** Event ids processed before, at any position. */
  async seenBefore(em: EntityManager, eventIds: string[]): Promise<Set<string>> {
    const rows = await em.query<{ event_id: string }[]>(
      `SELECT event_id FROM exchange.processed_events WHERE event_id = ANY($1::text[])`,
      [eventIds],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  async insertProcessed(em: EntityManager, rows: ProcessedRow[]): Promise<void> {
    await insertRows<ProcessedRow>(
      em,
      'exchange.processed_events',
      ['event_id', 'topic', 'partition', 'offset', 'outcome', 'processed_at'],
      rows,
    );
  }

  /**
   * Outputs already stored for these positions, in the order they were made (their Kafka
   * transaction may not have committed: they are published again, byte for byte).
   */
  async storedOutputs(
    em: EntityManager,
    topic: string,
    partition: number,
    offsets: string[],
  ): Promise<{ positions: Set<string>; outbound: OutboundMessage[] }> {
    const processed = await em.query<{ offset: string }[]>(
      `SELECT "offset"::text AS offset FROM exchange.processed_events WHERE topic = $1 AND partition = $2 AND "offset" = ANY($3::bigint[])
       UNION SELECT source_offset::text FROM exchange.dead_letters WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])`,
      [topic, partition, offsets],
    );
    const positions = new Set(processed.map((r) => r.offset));
    if (positions.size === 0) return { positions, outbound: [] };
    const outbound = await em.query<OutboundMessage[]>(
      `SELECT topic, message_key AS key, payload AS value, headers FROM (
         SELECT topic, convert_to(message_key, 'UTF8') AS message_key, payload, headers, source_offset, created_at, delivery_id::text AS id
           FROM exchange.deliveries WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
         UNION ALL
         SELECT topic, message_key, payload, headers, source_offset, created_at, dead_letter_id::text
           FROM exchange.dead_letters WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
         UNION ALL
         SELECT topic, message_key, payload, headers, source_offset, created_at, 'outcome'
           FROM exchange.outcome_messages WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
         UNION ALL
         SELECT topic, message_key, payload, headers, source_offset, created_at, task_id::text
           FROM exchange.measure_tasks WHERE source_topic = $1 AND source_partition = $2 AND source_offset = ANY($3::bigint[])
       ) o ORDER BY source_offset, created_at, id`,
      [topic, partition, [...positions]],
    );
    return { positions, outbound };
  }
}
