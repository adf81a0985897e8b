import { insertRows } from '@cie/platform';
import type { EntityManager } from 'typeorm';

/** A message back to a sector service (an outcome or an agency request): one per source position. */
export interface AgencyMessageRow {
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event_id: string;
  topic: string;
  message_key: Buffer | null;
  payload: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

export interface DeadLetterRow {
  dead_letter_id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event_id: string | null;
  reason: string;
  topic: string;
  message_key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * The only owner of `exchange.outcome_messages` and `exchange.dead_letters` as the pipeline writes
 * them: outputs other than feed messages, stored under their source position so that a batch that
 * comes back publishes them again unchanged.
 */
export class OutboxRepository {
  async insertAgencyMessages(em: EntityManager, rows: AgencyMessageRow[]): Promise<void> {
    await insertRows<AgencyMessageRow>(
      em,
      'exchange.outcome_messages',
      [
        'source_topic',
        'source_partition',
        'source_offset',
        'event_id',
        'topic',
        'message_key',
        'payload',
        'headers',
        'created_at',
      ],
      rows,
      'ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING',
    );
  }

  async insertDeadLetters(em: EntityManager, rows: DeadLetterRow[]): Promise<void> {
    await insertRows<DeadLetterRow>(
      em,
      'exchange.dead_letters',
      [
        'dead_letter_id',
        'source_topic',
        'source_partition',
        'source_offset',
        'event_id',
        'reason',
        'topic',
        'message_key',
        'payload',
        'headers',
        'created_at',
      ],
      rows,
      `ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING`,
    );
  }
}
