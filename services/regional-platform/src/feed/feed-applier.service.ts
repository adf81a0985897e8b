import { Logger } from '@nestjs/common';
import type { Clock } from '@cie/platform';
import type { DataSource } from 'typeorm';
import { applyFeedEvent } from '../domain/apply-feed-event.js';
import { type FeedEventIn, isDeletion } from '../domain/holding.js';
import type { FeedPosition, HoldingsRepository } from '../holdings/holdings.repository.js';

export interface Applied {
  /** `held`, `removed`, `ignored: <why>` or `duplicate`. */
  outcome: string;
  /** The deletion event to acknowledge, now that its effect is committed. */
  acknowledge: FeedEventIn | null;
}

/**
 * Applies one feed event in one PostgreSQL transaction together with its event id, so a redelivered
 * event changes nothing (a redelivered deletion is acknowledged again; the exchange dedups by event id).
 */
export class FeedApplier {
  private readonly logger = new Logger(FeedApplier.name);

  constructor(
    private readonly db: DataSource,
    private readonly holdings: HoldingsRepository,
    private readonly clock: Clock,
  ) {}

  async apply(event: FeedEventIn, position: FeedPosition): Promise<Applied> {
    const applied = await this.db.transaction(async (m): Promise<Applied> => {
      if (await this.holdings.isProcessed(m, event.eventId))
        return { outcome: 'duplicate', acknowledge: isDeletion(event.type) ? event : null };
      const now = this.clock.now();
      const holding = await this.holdings.holdingForUpdate(m, event.record.recordId);
      const decision = applyFeedEvent(holding, event, now);
      await this.holdings.apply(m, decision.change);
      const outcome =
        decision.change.type === 'hold'
          ? 'held'
          : decision.change.type === 'remove'
            ? 'removed'
            : `ignored: ${decision.change.why}`;
      await this.holdings.markProcessed(m, {
        eventId: event.eventId,
        eventType: event.type,
        recordId: event.record.recordId,
        version: event.record.version,
        outcome,
        topic: position.topic,
        partition: position.partition,
        offset: position.offset,
        processedAt: now,
      });
      return { outcome, acknowledge: decision.acknowledge ? event : null };
    });
    this.logger.log(
      `${event.type} ${event.eventId} record ${event.record.recordId} v${event.record.version} at ${position.topic}[${position.partition}]@${position.offset}: ${applied.outcome}`,
    );
    return applied;
  }
}
