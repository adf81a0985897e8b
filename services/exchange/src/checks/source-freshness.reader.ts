import { Topics, type Sector } from '@cie/contracts';
import type { SqlRunner } from '@cie/platform';

/**
 * When the exchange last processed an event of each sector's topic (exchange.processed_events): the
 * newest event of each partition it has progress for, found by the (topic, partition, offset) index,
 * so the answer costs one index probe per partition however long the history.
 */
export class SourceFreshnessReader {
  async lastProcessed(db: SqlRunner, sectors: readonly Sector[]): Promise<Map<Sector, Date | null>> {
    const topics = sectors.map((s) => Topics.sectorEvents(s));
    const rows = await db.query<{ topic: string; last: Date | null }[]>(
      `SELECT p.topic, max(e.processed_at) AS last
         FROM exchange.consumer_progress p
         CROSS JOIN LATERAL (
           SELECT processed_at FROM exchange.processed_events
            WHERE topic = p.topic AND partition = p.partition ORDER BY "offset" DESC LIMIT 1) e
        WHERE p.topic = ANY($1::text[])
        GROUP BY p.topic`,
      [topics],
    );
    const byTopic = new Map(rows.map((r) => [r.topic, r.last]));
    return new Map(sectors.map((s) => [s, byTopic.get(Topics.sectorEvents(s)) ?? null]));
  }
}
