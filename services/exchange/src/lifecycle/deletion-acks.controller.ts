import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { DELETION_EVENT_TYPES } from '@cie/contracts';
import { Clock } from '@cie/platform';
import { DataSource } from 'typeorm';
import { ClientAuthGuard, Roles } from '../access/exchange-clients.js';

/** What one subscriber has not yet confirmed deleting. */
export interface OutstandingAcks {
  subscriber: string;
  outstanding: number;
  acknowledged: number;
  /** Age of the oldest unacknowledged deletion event, in seconds; null when none is outstanding. */
  oldestAgeSeconds: number | null;
}

/** Outstanding deletion acknowledgements per subscriber (DESIGN §8), for operators and for metrics. */
export async function outstandingAcks(db: DataSource, now: Date): Promise<OutstandingAcks[]> {
  const rows = await db.query<
    { subscriber_id: string; outstanding: number; acknowledged: number; oldest: Date | null }[]
  >(
    `SELECT d.subscriber_id,
            count(*) FILTER (WHERE a.delivery_id IS NULL)::int AS outstanding,
            count(a.delivery_id)::int AS acknowledged,
            min(d.created_at) FILTER (WHERE a.delivery_id IS NULL) AS oldest
       FROM exchange.deliveries d LEFT JOIN exchange.feed_acks a ON a.delivery_id = d.delivery_id
      WHERE d.event_type = ANY($1::text[])
      GROUP BY d.subscriber_id ORDER BY d.subscriber_id`,
    [DELETION_EVENT_TYPES],
  );
  return rows.map((r) => ({
    subscriber: r.subscriber_id,
    outstanding: r.outstanding,
    acknowledged: r.acknowledged,
    oldestAgeSeconds: r.oldest ? Math.max(0, Math.round((now.getTime() - r.oldest.getTime()) / 1000)) : null,
  }));
}

@Controller('v1/deletion-acks')
@UseGuards(ClientAuthGuard)
@Roles('operator')
export class DeletionAcksController {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get()
  async summary() {
    return { subscribers: await outstandingAcks(this.db, this.clock.now()) };
  }

  /** The deletion events one subscriber has not acknowledged, oldest first. */
  @Get(':subscriber')
  async outstanding(@Param('subscriber') subscriber: string) {
    const now = this.clock.now();
    const rows = await this.db.query<
      { delivery_id: string; record_id: string; version: number; event_type: string; created_at: Date }[]
    >(
      `SELECT d.delivery_id, d.record_id, d.version, d.event_type, d.created_at
         FROM exchange.deliveries d LEFT JOIN exchange.feed_acks a ON a.delivery_id = d.delivery_id
        WHERE d.subscriber_id = $1 AND d.event_type = ANY($2::text[]) AND a.delivery_id IS NULL
        ORDER BY d.created_at LIMIT 1000`,
      [subscriber, DELETION_EVENT_TYPES],
    );
    return {
      subscriber,
      outstanding: rows.map((r) => ({
        eventId: r.delivery_id,
        recordId: r.record_id,
        version: r.version,
        eventType: r.event_type,
        sentAt: r.created_at.toISOString(),
        ageSeconds: Math.round((now.getTime() - r.created_at.getTime()) / 1000),
      })),
    };
  }
}
