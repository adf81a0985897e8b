import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type ProcessingOutcome, ProcessingOutcomeSchema, type Sector, TopicPatterns } from '@cie/contracts';
import {
  type ConsumerPatternExtras,
  decodePayload,
  type RefusingSlice,
  requirePlainText,
  requireUuid,
  SERVICE_SECTOR,
} from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';

/**
 * Reads the exchange's outcomes for this sector's events and records them beside the submissions,
 * so `GET /v1/records/{id}` tells the agency whether its record was stored or refused, and why.
 * Updates are idempotent (by event id), so redelivery is harmless; an unreadable outcome goes to
 * the topic's .dlq with its code and the partition moves on.
 */
@Controller()
export class OutcomesConsumer {
  constructor(
    @Inject(SERVICE_SECTOR) private readonly sector: Sector,
    private readonly db: DataSource,
  ) {}

  @EventPattern(TopicPatterns.outcomes, { consumer: '{sector}-outcomes' } satisfies ConsumerPatternExtras)
  async handle(@Payload() slice: RefusingSlice): Promise<void> {
    const outcomes = slice.decode(readOutcome).map(({ value }) => value);
    if (outcomes.length === 0) return;
    await this.db.query(
      `UPDATE ${this.sector}.submissions s SET outcome = o.status, outcome_reason = NULLIF(o.reason, ''), exchange_record_id = NULLIF(o.record_id, '')::uuid, outcome_at = o.at::timestamptz
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS o(event_id, status, reason, record_id, at)
        WHERE s.event_id = o.event_id`,
      [
        outcomes.map((o) => o.eventId),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.reason),
        outcomes.map((o) => o.recordId),
        outcomes.map((o) => o.processedAt),
      ],
    );
  }
}

/** The outcome, with the values the update casts checked first (a failed cast would fail the batch). */
function readOutcome(message: KafkaMessage): ProcessingOutcome {
  const outcome = decodePayload(ProcessingOutcomeSchema, message);
  requireUuid('eventId', outcome.eventId);
  if (outcome.recordId !== '') requireUuid('recordId', outcome.recordId);
  requirePlainText('status', outcome.status);
  return outcome;
}
