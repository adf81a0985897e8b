import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CeHeader, SECTORS, Topics } from '@cie/contracts';
import {
  bindProcessingTrace,
  contextFromHeaders,
  failSpan,
  otelTrace,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  startSpan,
  tracingEnabled,
  trackConsumerLag,
} from '@cie/platform';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ExchangeConfig } from '../exchange.config.js';
import { byTopic, chunksBySize, countCommitted, MAX_REQUEST_BYTES } from './outbox.js';
import type { ProgressRepository } from './progress.repository.js';
import { BatchProcessor } from './batch-processor.js';

/**
 * What the exchange consumes: every sector's topic (one mapping per sector, domain/normalise) and its
 * own commands (disputes, repair requests, expiry), through the same exactly-once pipeline.
 */
export const CONSUMED_TOPICS = [
  ...SECTORS.map((sector) => Topics.sectorEvents(sector)),
  Topics.exchangeCommands,
];

/**
 * Consumes sector events in batches with kafkajs directly (Nest's Kafka transport has no batch +
 * transaction support): store in PostgreSQL first, then publish the feed messages and commit the
 * offsets in one Kafka transaction. Offsets are never committed before the records are stored and routed.
 */
@Injectable()
export class SectorEventsConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(SectorEventsConsumer.name);
  private readonly consumer: Consumer;
  private readonly producer: Producer;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ExchangeConfig,
    private readonly ingest: BatchProcessor,
    private readonly progress: ProgressRepository,
    private readonly db: DataSource,
  ) {
    this.consumer = kafka.consumer({
      groupId: config.KAFKA_CONSUMER_GROUP,
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)),
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    trackConsumerLag(this.consumer, config.KAFKA_CONSUMER_GROUP);
    this.producer = kafka.producer({
      transactionalId: `${config.EXCHANGE_INSTANCE_ID}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    await this.syncProgressFromKafka();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: CONSUMED_TOPICS, fromBeginning: true });
    // kafkajs gives up on errors it deems non-retriable and leaves the process up but idle. Nothing
    // was committed for the failed batch, so the honest move is to exit and be restarted.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.logger.error(
        `consumer stopped for good: ${payload.error.message}; exiting so that the process is restarted`,
      );
      process.exit(1);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(`consuming ${CONSUMED_TOPICS.join(', ')} as ${this.config.KAFKA_CONSUMER_GROUP}`);
  }

  /** Stops fetching; the batch in flight finishes (stored, published and committed) first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /** The consumer is in its group and the producer connected. */
  async ready(): Promise<void> {
    const description = await this.consumer.describeGroup();
    if (description.state !== 'Stable') throw new Error(`consumer group is ${description.state}`);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const last = batch.messages.at(-1);
    if (!last || !payload.isRunning() || payload.isStale()) return;
    const group = this.config.KAFKA_CONSUMER_GROUP;
    const spans = batch.messages.map((m) => this.processSpan(batch.topic, batch.partition, m));
    try {
      const stored = Date.now();
      const outbound = await this.ingest.processBatch(batch.topic, batch.partition, batch.messages);
      const routed = Date.now();
      const nextOffset = (BigInt(last.offset) + 1n).toString();

      const transaction = await this.producer.transaction();
      try {
        // In requests under the broker's 1 MB limit: one batch's outputs can be far larger.
        for (const chunk of chunksBySize(outbound, MAX_REQUEST_BYTES))
          await transaction.sendBatch({ topicMessages: byTopic(chunk) });
        await transaction.sendOffsets({
          consumerGroupId: group,
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }],
        });
        await transaction.commit();
      } catch (error) {
        await transaction
          .abort()
          .catch((abortError: unknown) => this.logger.warn(`abort failed: ${String(abortError)}`));
        throw error;
      }
      countCommitted(outbound);
      phaseSpans(spans, stored, routed, outbound.length);
      payload.resolveOffset(last.offset);
      await this.progress.markCommitted(this.db, batch.topic, batch.partition, nextOffset);
      await payload.heartbeat();
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /**
   * The exchange's span for one sector event, continuing the trace of its `traceparent` header and
   * bound to the message, so that the feed messages built from it carry this span as their parent.
   */
  private processSpan(topic: string, partition: number, message: KafkaMessage): Span {
    const span = startSpan(`${topic} process`, {
      kind: SpanKind.CONSUMER,
      parent: contextFromHeaders(message.headers),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
        'messaging.consumer.group.name': this.config.KAFKA_CONSUMER_GROUP,
        'messaging.message.id': message.headers?.[CeHeader.id]?.toString() ?? '',
      },
    });
    bindProcessingTrace(message, span);
    return span;
  }
  /**
   * The group's committed offsets are the truth of what was published; bring the database's copy up
   * to them in case the process died between the Kafka commit and the progress update.
   */
  private async syncProgressFromKafka(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({
        groupId: this.config.KAFKA_CONSUMER_GROUP,
        topics: CONSUMED_TOPICS,
      });
      for (const { topic, partitions } of offsets) {
        for (const { partition, offset } of partitions) {
          if (BigInt(offset) > 0n) await this.progress.markCommitted(this.db, topic, partition, offset);
        }
      }
      // Progress beyond a partition's end means the topic was recreated (another cluster, a reset):
      // positions stored for the old topic would pass new messages off as processed. Stop loudly.
      for (const topic of CONSUMED_TOPICS) {
        for (const { partition, high } of await retryWhileLeadersSettle(() =>
          admin.fetchTopicOffsets(topic),
        )) {
          const progress = await this.progress.progressBeyond(this.db, topic, partition, high);
          if (progress)
            throw new Error(
              `exchange.consumer_progress is at ${progress} on ${topic}[${partition}] but the partition ends at ${high}: ` +
                'the topic was recreated since this database last consumed it. Point the exchange at the database of this cluster (or a new one).',
            );
        }
      }
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * The batch's two phases as children of each event's span: store and route (one PostgreSQL
 * transaction for the batch), then publish and commit (one Kafka transaction). Shared timings: the
 * batch is processed as one, and each event's trace shows where its time went.
 */
function phaseSpans(spans: Span[], stored: number, routed: number, outputs: number): void {
  if (!tracingEnabled()) return;
  const committed = Date.now();
  for (const parent of spans) {
    const ctx = otelTrace.setSpan(ROOT_CONTEXT, parent);
    startSpan('exchange store and route', {
      parent: ctx,
      startTime: stored,
      attributes: { 'messaging.batch.message_count': spans.length },
    }).end(routed);
    startSpan('exchange publish and commit', {
      kind: SpanKind.PRODUCER,
      parent: ctx,
      startTime: routed,
      attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': outputs },
    }).end(committed);
  }
}

/**
 * A broker that has just created the topics answers "not the leader" for a few seconds: asking
 * again is right, giving up stops the exchange at start on a fresh cluster.
 */
async function retryWhileLeadersSettle<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await call();
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
