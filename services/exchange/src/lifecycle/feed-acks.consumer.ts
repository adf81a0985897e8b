import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DELETION_EVENT_TYPES, FeedAckSchema, Topics } from '@cie/contracts';
import { type Clock, deadLetterMessage } from '@cie/platform';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

interface Ack {
  deliveryId: string;
  subscriber: string;
  acknowledgedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Subscribers confirm on credit.feed-acks.v1 that they deleted a record after `withdrawn`, `expired`
 * or `repaired` (DESIGN §8). An ack counts only for a deletion event that was delivered to the
 * subscriber that sends it; anything else goes to credit.feed-acks.v1.dlq with the reason. Acks are
 * idempotent (one row per delivery), so a redelivered batch changes nothing.
 */
export class FeedAcksConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedAcksConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    groupId: string,
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {
    this.consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: Topics.feedAcks, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload) {
    const { batch } = payload;
    const decoded = batch.messages.map((message) => ({ message, ack: decodeAck(message) }));
    const acks = decoded.flatMap(({ ack }) => ('reason' in ack ? [] : [ack]));
    const stored = await this.store(acks);
    const rejected = decoded.flatMap(({ message, ack }) =>
      'reason' in ack
        ? [{ message, reason: ack.reason }]
        : stored.has(ack.deliveryId)
          ? []
          : [
              {
                message,
                reason: `no ${DELETION_EVENT_TYPES.join(' / ')} delivery ${ack.deliveryId} to subscriber ${ack.subscriber}`,
              },
            ],
    );
    if (rejected.length > 0) {
      for (const { reason } of rejected) this.logger.warn(`feed ack refused: ${reason}`);
      await this.producer.send({
        topic: Topics.deadLetters(Topics.feedAcks),
        acks: -1,
        messages: rejected.map(({ message, reason }) =>
          deadLetterMessage(
            { topic: batch.topic, partition: batch.partition, offset: message.offset },
            message,
            reason,
          ),
        ),
      });
    }
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
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

function decodeAck(message: KafkaMessage): Ack | { reason: string } {
  if (!message.value) return { reason: 'empty payload' };
  try {
    const ack = fromBinary(FeedAckSchema, message.value);
    if (!UUID.test(ack.eventId)) return { reason: `event_id "${ack.eventId}" is not a feed event id` };
    if (!ack.subscriber) return { reason: 'subscriber is required' };
    return {
      deliveryId: ack.eventId.toLowerCase(),
      subscriber: ack.subscriber,
      acknowledgedAt: ack.acknowledgedAt ? timestampDate(ack.acknowledgedAt) : new Date(),
    };
  } catch (error) {
    return { reason: `payload is not a valid ${FeedAckSchema.typeName}: ${(error as Error).message}` };
  }
}
