import { Injectable, Logger } from '@nestjs/common';
import { CeHeader, SECTORS, Topics } from '@cie/contracts';
import {
  type BatchSlice,
  bindProcessingTrace,
  ConsumerRunner,
  retryWhileLeadersSettle,
  contextFromHeaders,
  failSpan,
  otelTrace,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  startSpan,
  RunnerConsumer,
  tracingEnabled,
} from '@cie/platform';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ExchangeConfig } from '../exchange.config.js';
import type { OutboundMessage } from '../outbound.js';
import { countCommitted } from './outbox.js';
import { type Claim, PartitionTransactions } from './partition-transactions.js';
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
 * Consumes sector events and the exchange's commands on the shared ConsumerRunner, in its
 * exactly-once mode: store in PostgreSQL first (BatchProcessor), then publish the outputs and commit
 * the offsets in one Kafka transaction, by the partition's own fenced producer (PartitionTransactions:
 * a zombie instance cannot commit on a partition taken over from it). Offsets are never committed before the records are stored
 * and routed. A message that fails alone with a non-transient error is isolated: dead-lettered as
 * `processing_failed` in the same exactly-once way, and the partition moves on.
 */
@Injectable()
export class SectorEventsConsumer extends RunnerConsumer {
  private readonly logger = new Logger(SectorEventsConsumer.name);
  protected readonly runner: ConsumerRunner;
  private readonly transactions: PartitionTransactions;
  private faultStopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ExchangeConfig,
    private readonly processor: BatchProcessor,
    private readonly progress: ProgressRepository,
    private readonly db: DataSource,
  ) {
    super();
    // The database's copy of the progress is brought up to the group's committed offset whenever a
    // partition is claimed: the committed offsets are the truth of what was published.
    this.transactions = new PartitionTransactions(
      kafka,
      config.KAFKA_CONSUMER_GROUP,
      async (topic, partition, committed) => {
        if (BigInt(committed) > 0n) await this.progress.markCommitted(this.db, topic, partition, committed);
      },
    );
    this.runner = new ConsumerRunner({
      name: 'exchange-sector-events',
      // Partitions stored in PostgreSQL side by side, each committed by its own transactional producer
      // (PartitionTransactions).
      partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
      kafka,
      groupId: config.KAFKA_CONSUMER_GROUP,
      topics: CONSUMED_TOPICS,
      consumer: {
        sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
        heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)),
        readUncommitted: false,
        allowAutoTopicCreation: false,
        maxBytesPerPartition: config.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
        maxBytes: config.KAFKA_FETCH_MAX_BYTES,
        minBytes: config.KAFKA_FETCH_MIN_BYTES,
        maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS,
      },
      stallAfterMs: config.KAFKA_STALL_AFTER_MS,
      onGroupJoin: () => this.transactions.rebalanced(),
      commits: 'handler',
      handle: (slice) => this.handle(slice),
      isolate: async (slice, _refusal, error) => {
        const [message] = slice.messages;
        if (!message) return;
        this.logger.error(
          `isolating ${slice.topic}[${slice.partition}]@${message.offset}: ${error instanceof Error ? error.message : String(error)}`,
        );
        const claim = await this.transactions.claim(slice.topic, slice.partition);
        await this.publish(
          slice,
          claim,
          await this.processor.isolate(slice.topic, slice.partition, message, error),
        );
      },
    });
  }

  override async onApplicationBootstrap(): Promise<void> {
    await this.transactions.connect();
    await this.checkTopicsNotRecreated();
    await super.onApplicationBootstrap();
  }

  override async onApplicationShutdown(): Promise<void> {
    await super.onApplicationShutdown();
    await this.transactions.disconnect();
  }

  private async handle(slice: BatchSlice): Promise<void> {
    const spans = slice.messages.map((m) => this.processSpan(slice.topic, slice.partition, m));
    try {
      const claim = await this.transactions.claim(slice.topic, slice.partition);
      const stored = Date.now();
      const outbound = await this.processor.processBatch(slice.topic, slice.partition, [...slice.messages]);
      const routed = Date.now();
      this.faultStopAfterStore(outbound);
      await this.publish(slice, claim, outbound);
      phaseSpans(spans, stored, routed, outbound.length);
    } catch (error) {
      for (const span of spans) failSpan(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** FAULT_STOP_AFTER_STORE: freeze once here, stored but not yet published (the zombie test). */
  private faultStopAfterStore(outbound: readonly OutboundMessage[]): void {
    if (this.config.FAULT_STOP_AFTER_STORE !== 1 || this.faultStopped || outbound.length === 0) return;
    this.faultStopped = true;
    this.logger.warn(
      `FAULT_STOP_AFTER_STORE: stopping this process (SIGSTOP) before publishing ${outbound.length} output(s)`,
    );
    process.kill(process.pid, 'SIGSTOP');
  }

  /**
   * The outputs and the slice's offsets in one Kafka transaction of the partition's own producer
   * (PartitionTransactions), then the database's copy of the progress. That copy failing fails
   * nothing: the outputs are published, and it is brought up to date when the partition is claimed.
   */
  private async publish(slice: BatchSlice, claim: Claim, outbound: OutboundMessage[]): Promise<void> {
    const { topic, partition, nextOffset, offsets } = slice;
    await this.transactions.commit(claim, { outbound, offsets, topic, partition, nextOffset });
    await this.progress
      .markCommitted(this.db, topic, partition, nextOffset)
      .catch((error: unknown) =>
        this.logger.warn(
          `consumer_progress not updated (brought up to date at the next claim): ${String(error)}`,
        ),
      );
    countCommitted(outbound);
    await slice.heartbeat();
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
   * Refuses to start on a database whose progress is past a partition's end. (Bringing the
   * database's copy of the progress up to the group's committed offsets is each claim's work.)
   */
  private async checkTopicsNotRecreated(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
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
