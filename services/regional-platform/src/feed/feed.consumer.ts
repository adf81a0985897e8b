import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TopicPatterns, Topics } from '@cie/contracts';
import {
  cieMetrics,
  Clock,
  type ConsumerPatternExtras,
  type ConsumerRunnerContext,
  type ConsumerSettings,
  contextFromHeaders,
  inSpan,
  MessageSigner,
  type RefusalCode,
  type RefusingSlice,
  SpanKind,
  traceparentOf,
} from '@cie/platform';
import type { KafkaMessage } from 'kafkajs';
import { QueryFailedError } from 'typeorm';
import type { FeedEventIn } from '../domain/holding.js';
import type { MeasureTaskIn } from '../domain/measure-task.js';
import type { FeedPosition } from '../holdings/holdings.repository.js';
import { RegionalPlatformConfig } from '../platform.config.js';
import { feedAckMessage } from './feed-ack.js';
import { TasksRepository } from '../tasks/tasks.repository.js';
import { FeedApplier } from './feed-applier.service.js';
import { decodeFeedItem, type FeedItem, FeedMessageRejected, FeedRejection } from './feed-event.decoder.js';

/**
 * Consumes this platform's feed (read_committed, so aborted exchange transactions are never seen) in
 * batches: each event is applied in its own PostgreSQL transaction (a measure task is stored, once by
 * its task id), then the deletion acknowledgements are sent, then the offsets committed. A crash anywhere in between redelivers events that are
 * already applied; they change nothing and their acknowledgements are sent again.
 */
@Controller()
export class FeedConsumer {
  static readonly consumer = 'regional-platform-feed';
  private readonly logger = new Logger(FeedConsumer.name);

  constructor(
    private readonly config: RegionalPlatformConfig,
    private readonly applier: FeedApplier,
    private readonly tasks: TasksRepository,
    private readonly clock: Clock,
    /** This platform's ack signing key (FEED_ACK_SIGNING_KEYS_FILE). */
    private readonly signer: MessageSigner,
  ) {}

  /** How its consumer group runs: read_committed, so aborted exchange transactions are never seen. */
  static settings(config: RegionalPlatformConfig): ConsumerSettings {
    return {
      groupId: config.consumerGroup,
      consumer: {
        sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)),
        readUncommitted: false,
      },
      // Counted here, by this platform's own rejection names (the dashboard's labels).
      countRefusals: false,
    };
  }

  // <string>: the untyped overload, as the handler takes a context beside the payload.
  @EventPattern<string>(TopicPatterns.feed, {
    consumer: FeedConsumer.consumer,
  } satisfies ConsumerPatternExtras)
  async handle(@Payload() slice: RefusingSlice, @Ctx() context: ConsumerRunnerContext): Promise<void> {
    const toAcknowledge: FeedEventIn[] = [];
    for (const message of slice.messages) {
      const position = { topic: slice.topic, partition: slice.partition, offset: message.offset };
      let item: FeedItem;
      try {
        item = decodeFeedItem(message, this.config.SUBSCRIBER_ID);
      } catch (error) {
        if (!(error instanceof FeedMessageRejected)) throw error;
        this.refuse(slice, message, error);
        continue;
      }
      let ack: FeedEventIn | null = null;
      try {
        if (item.kind === 'task') await this.storeTask(item.task, position);
        else ack = await this.applyTraced(item.event, message, position);
      } catch (error) {
        // Anything else is the runner's: retried when transient, else this message is isolated.
        if (!isDataException(error)) throw error;
        this.refuse(
          slice,
          message,
          new FeedMessageRejected(FeedRejection.UNSTORABLE, (error as Error).message),
        );
        continue;
      }
      if (ack) toAcknowledge.push(ack);
      await slice.heartbeat();
    }
    // Acknowledgements before offsets: a crash in between re-sends them rather than losing them.
    if (toAcknowledge.length > 0) {
      const now = this.clock.now();
      await context.getProducer().send({
        topic: Topics.feedAcks,
        acks: -1,
        messages: toAcknowledge.map((e) => feedAckMessage(this.signer, e, now)),
      });
      this.logger.log(`acknowledged ${toAcknowledge.map((e) => `${e.type} ${e.eventId}`).join(', ')}`);
    }
  }

  /** Kept for the platform's staff (GET /v1/tasks); answered on the exchange's API, not from here. */
  private async storeTask(task: MeasureTaskIn, position: FeedPosition): Promise<void> {
    const outcome = await this.tasks.store(task, position, this.clock.now());
    this.logger.log(
      `measure task ${task.taskId} (${task.kind} ${task.measureId}) at ${position.topic}[${position.partition}]@${position.offset}: ${outcome}`,
    );
  }

  /** An unreadable message goes to <feed>.dlq with the reason, and the partition moves on. */
  private refuse(slice: RefusingSlice, message: KafkaMessage, rejection: FeedMessageRejected): void {
    slice.refuse(message, {
      code: REFUSAL_CODES[rejection.code],
      detail: `${rejection.code}: ${rejection.message}`,
    });
    cieMetrics.deadLetters.inc({ topic: slice.topic, reason: rejection.code.toLowerCase() });
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
}

/** The shared code of each of this platform's rejections (dlq_code). */
const REFUSAL_CODES: Record<FeedRejection, RefusalCode> = {
  [FeedRejection.BAD_ENVELOPE]: 'invalid_envelope',
  [FeedRejection.BAD_PAYLOAD]: 'undecodable',
  [FeedRejection.WRONG_SUBSCRIBER]: 'not_owner',
  [FeedRejection.UNKNOWN_TYPE]: 'undecodable',
  [FeedRejection.UNSTORABLE]: 'unstorable',
};

/** PostgreSQL refused the values themselves (SQLSTATE class 22): the same event would fail every time. */
function isDataException(error: unknown): boolean {
  return (
    error instanceof QueryFailedError && /^22/.test(String((error.driverError as { code?: unknown }).code))
  );
}
