import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DELETION_EVENT_TYPES, FeedAckSchema, Topics } from '@cie/contracts';
import {
  Clock,
  type ConsumerPatternExtras,
  decodePayload,
  RefusalError,
  type RefusingSlice,
  requirePlainText,
  requireUuid,
  SignerKeys,
} from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';

/** The subscribers' public keys (FEED_ACK_KEYS_FILE): who may acknowledge, and for whom. */
export const FEED_ACK_SENDERS = Symbol('FEED_ACK_SENDERS');

interface Ack {
  deliveryId: string;
  subscriber: string;
  acknowledgedAt: Date;
}

/**
 * Subscribers confirm on credit.feed-acks.v1 that they deleted a record after `withdrawn`, `expired`
 * or `repaired` (DESIGN §8). An ack counts only for a deletion event that was delivered to the
 * subscriber that sends it; anything else goes to credit.feed-acks.v1.dlq with its code. The sender
 * is known from its Ed25519 signature (FEED_ACK_KEYS_FILE), never from the payload: an unsigned or
 * badly signed ack, or one naming another subscriber than its signer (`not_owner`), changes nothing.
 * Where Kafka security is on, SASL/SCRAM users and ACLs also limit who may write the topic
 * (deploy/k8s/overlays/production). Acks are idempotent (one row per delivery), so a redelivered
 * batch changes nothing.
 */
@Controller()
export class FeedAcksConsumer {
  static readonly consumer = 'exchange-feed-acks';

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    @Inject(FEED_ACK_SENDERS) private readonly senders: SignerKeys,
  ) {}

  @EventPattern(Topics.feedAcks, { consumer: FeedAcksConsumer.consumer } satisfies ConsumerPatternExtras)
  async handle(@Payload() slice: RefusingSlice): Promise<void> {
    const acks = slice.decode((message) => {
      const signer = this.senders.verify(Topics.feedAcks, message);
      const ack = decodeAck(message);
      if (ack.subscriber !== signer)
        throw new RefusalError(
          'not_owner',
          `the ack names subscriber ${ack.subscriber} but is signed by ${signer}`,
          'subscriber',
        );
      return ack;
    });
    const stored = await this.store(acks.map(({ value }) => value));
    for (const { message, value: ack } of acks)
      if (!stored.has(ack.deliveryId))
        slice.refuse(message, {
          code: 'unknown_record',
          detail: `no ${DELETION_EVENT_TYPES.join(' / ')} delivery ${ack.deliveryId} to subscriber ${ack.subscriber}`,
        });
  }

  /** Stores the acks that match a deletion delivery to their sender; returns their delivery ids. */
  private async store(acks: Ack[]): Promise<Set<string>> {
    if (acks.length === 0) return new Set();
    const matched = await this.db.query<{ delivery_id: string }[]>(
      `INSERT INTO exchange.feed_acks (delivery_id, subscriber_id, acknowledged_at, received_at)
       SELECT DISTINCT ON (a.delivery_id) a.delivery_id, a.subscriber_id, a.acknowledged_at, $4
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS a (delivery_id, subscriber_id, acknowledged_at)
         JOIN exchange.deliveries d ON d.delivery_id = a.delivery_id AND d.subscriber_id = a.subscriber_id
        WHERE d.event_type = ANY($5::text[])
       ON CONFLICT (delivery_id) DO UPDATE SET delivery_id = EXCLUDED.delivery_id
       RETURNING delivery_id`,
      [
        acks.map((a) => a.deliveryId),
        acks.map((a) => a.subscriber),
        acks.map((a) => a.acknowledgedAt),
        this.clock.now(),
        DELETION_EVENT_TYPES,
      ],
    );
    return new Set(matched.map((r) => r.delivery_id));
  }
}

/** The ack, with what is stored checked first: a NUL in the subscriber would fail the whole batch. */
function decodeAck(message: KafkaMessage): Ack {
  const ack = decodePayload(FeedAckSchema, message);
  if (!ack.subscriber) throw new RefusalError('invalid_field', 'subscriber is required', 'subscriber');
  return {
    deliveryId: requireUuid('eventId', ack.eventId),
    subscriber: requirePlainText('subscriber', ack.subscriber),
    acknowledgedAt: ack.acknowledgedAt ? timestampDate(ack.acknowledgedAt) : new Date(),
  };
}
