import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { printable, trackConsumerLag, unstorableText } from '@cie/platform';
import { fromBinary } from '@bufbuild/protobuf';
import { type ProcessingOutcome, ProcessingOutcomeSchema, type Sector, Topics } from '@cie/contracts';
import { isUUID } from 'class-validator';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';

/**
 * Reads the exchange's outcomes for this sector's events and records them beside the submissions,
 * so `GET /v1/records/{id}` tells the agency whether its record was stored or refused, and why.
 * Updates are idempotent (by event id), so redelivery is harmless.
 */
export class OutcomesConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(OutcomesConsumer.name);
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly sector: Sector,
    private readonly db: DataSource,
  ) {
    this.consumer = kafka.consumer({ groupId: `${sector}-outcomes`, allowAutoTopicCreation: false });
    trackConsumerLag(this.consumer, `${sector}-outcomes`);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: Topics.outcomes(this.sector), fromBeginning: true });
    await this.consumer.run({ eachBatch: (payload) => this.handle(payload) });
  }

  /** Stops fetching; the batch in hand is written (and its offsets committed) first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async handle({ batch }: EachBatchPayload): Promise<void> {
    const outcomes = batch.messages.flatMap((m) => {
      try {
        const outcome = m.value ? fromBinary(ProcessingOutcomeSchema, m.value) : undefined;
        return outcome ? [storable(outcome)] : [];
      } catch (error) {
        this.logger.warn(
          `unreadable outcome at ${batch.topic}[${batch.partition}]@${m.offset}: ${(error as Error).message}`,
        );
        return [];
      }
    });
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

/** An outcome PostgreSQL would refuse (a non-UUID id, NUL in the reason) fails the batch for ever: refused here. */
function storable(outcome: ProcessingOutcome): ProcessingOutcome {
  if (!isUUID(outcome.eventId)) throw new Error(`eventId ${printable(outcome.eventId)} is not a UUID`);
  if (outcome.recordId !== '' && !isUUID(outcome.recordId))
    throw new Error(`recordId ${printable(outcome.recordId)} is not a UUID`);
  if (Number.isNaN(Date.parse(outcome.processedAt)))
    throw new Error(`processedAt ${printable(outcome.processedAt)} is not a time`);
  for (const [field, text] of Object.entries({ status: outcome.status, reason: outcome.reason })) {
    const why = unstorableText(text);
    if (why) throw new Error(`${field} ${why}`);
  }
  return outcome;
}
