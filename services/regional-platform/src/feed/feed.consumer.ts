import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@cie/contracts';
import {
  deadLetterMessage,
  cieMetrics,
  type Clock,
  contextFromHeaders,
  inSpan,
  SpanKind,
  trackConsumerLag,
  traceparentOf,
} from '@cie/platform';
import {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { QueryFailedError } from 'typeorm';
import type { FeedEventIn } from '../domain/holding.js';
import type { FeedPosition } from '../holdings/holdings.repository.js';
import type { RegionalPlatformConfig } from '../platform.config.js';
import { feedAckMessage } from './feed-ack.js';
import type { FeedApplier } from './feed-applier.service.js';
import { decodeFeedMessage, FeedMessageRejected, FeedRejection } from './feed-event.decoder.js';

/**
 * Consumes this platform's feed (read_committed, so aborted exchange transactions are never seen) in
 * batches: each event is applied in its own PostgreSQL transaction, then the deletion acknowledgements
 * are sent, then the offsets committed. A crash anywhere in between redelivers events that are
 * already applied; they change nothing and their acknowledgements are sent again.
 */
export class FeedConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FeedConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  readonly topic: string;
  readonly deadLetterTopic: string;

  constructor(
    kafka: Kafka,
    private readonly config: RegionalPlatformConfig,
    private readonly applier: FeedApplier,
    private readonly clock: Clock,
  ) {
    this.topic = Topics.feed(config.SUBSCRIBER_ID);
    this.deadLetterTopic = Topics.deadLetters(this.topic);
    this.consumer = kafka.consumer({
      groupId: config.consumerGroup,
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)),
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's partitioner (murmur2), stated so kafkajs does not warn about its default.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    trackConsumerLag(this.consumer, this.config.consumerGroup);
    // kafkajs gives up on errors it deems non-retriable and leaves the process idle: exit instead, so
    // the process is restarted and resumes from the last committed offset.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.logger.error(
        `consumer stopped for good: ${payload.error.message}; exiting so that it is restarted`,
      );
      process.exit(1);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(
      `consuming ${this.topic} as ${this.config.consumerGroup} into schema ${this.config.schema}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    // Stops fetching and lets the batch in flight finish (and commit) first.
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** The consumer is in its group. */
  async ready(): Promise<void> {
    const description = await this.consumer.describeGroup();
    if (description.state !== 'Stable') throw new Error(`consumer group is ${description.state}`);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const toAcknowledge: FeedEventIn[] = [];
    let lastDone: string | undefined;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const position = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      let event: FeedEventIn;
      try {
        event = decodeFeedMessage(message, this.config.SUBSCRIBER_ID);
      } catch (error) {
        if (!(error instanceof FeedMessageRejected)) throw error;
        await this.deadLetter(position, message, error);
        payload.resolveOffset(message.offset);
        lastDone = message.offset;
        continue;
      }
      let ack: FeedEventIn | null;
      try {
        ack = await this.applyTraced(event, message, position);
      } catch (error) {
        // Anything else (database or broker down) is retried: nothing was committed for this event.
        if (!isDataException(error)) throw error;
        await this.deadLetter(
          position,
          message,
          new FeedMessageRejected(FeedRejection.UNSTORABLE, (error as Error).message),
        );
        payload.resolveOffset(message.offset);
        lastDone = message.offset;
        continue;
      }
      if (ack) toAcknowledge.push(ack);
      payload.resolveOffset(message.offset);
      lastDone = message.offset;
      await payload.heartbeat();
    }
    if (lastDone === undefined) return;
    // Acknowledgements before offsets: a crash in between re-sends them rather than losing them.
    if (toAcknowledge.length > 0) {
      const now = this.clock.now();
      await this.producer.send({
        topic: Topics.feedAcks,
        acks: -1,
        messages: toAcknowledge.map((e) => feedAckMessage(this.config.SUBSCRIBER_ID, e, now)),
      });
      this.logger.log(`acknowledged ${toAcknowledge.map((e) => `${e.type} ${e.eventId}`).join(', ')}`);
    }
    await this.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastDone) + 1n).toString() },
    ]);
  }

  /** Applies one event in a span under the exchange's trace; the acknowledgement continues that trace. */
  private applyTraced(
    event: FeedEventIn,
    message: KafkaMessage,
    position: FeedPosition,
  ): Promise<FeedEventIn | null> {
    return inSpan(
      `${position.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromHeaders(message.headers),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': position.topic,
          'messaging.kafka.destination.partition': position.partition,
          'messaging.kafka.message.offset': position.offset,
          'cloudevents.event_type': event.type,
        },
      },
      async (span) => {
        const { acknowledge } = await this.applier.apply(event, position);
        return acknowledge && { ...acknowledge, traceparent: traceparentOf(span) ?? acknowledge.traceparent };
      },
    );
  }

  /** An unreadable message goes to <feed>.dlq with the reason, and the partition moves on. */
  private async deadLetter(
    position: { topic: string; partition: number; offset: string },
    message: KafkaMessage,
    rejection: FeedMessageRejected,
  ): Promise<void> {
    this.logger.warn(
      `dead-lettering ${position.topic}[${position.partition}]@${position.offset} to ${this.deadLetterTopic}: ${rejection.code}: ${rejection.message}`,
    );
    await this.producer.send({
      topic: this.deadLetterTopic,
      acks: -1,
      messages: [deadLetterMessage(position, message, `${rejection.code}: ${rejection.message}`)],
    });
    cieMetrics.deadLetters.inc({ topic: position.topic, reason: rejection.code.toLowerCase() });
  }
}

/** PostgreSQL refused the values themselves (SQLSTATE class 22): the same event would fail every time. */
function isDataException(error: unknown): boolean {
  return (
    error instanceof QueryFailedError && /^22/.test(String((error.driverError as { code?: unknown }).code))
  );
}
