import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Offsets,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { cieMetrics } from '../observability/metrics.js';
import { trackConsumerLag } from '../observability/kafka-observability.js';
import { type Refusal, RefusalError } from '../refusals.js';
import { InvalidEnvelopeError } from './cloudevent-headers.js';
import { deadLetterMessage } from './dead-letter.js';
import { classifyError, refusalForError } from './error-classification.js';
import { isolatePoison, type SliceOutcome } from './isolate-poison.js';
import { retryWhileLeadersSettle } from './leaders-settle.js';

/**
 * Every Kafka consumer runs through a ConsumerRunner (DESIGN §14): connect, subscribe, `eachBatch`,
 * crash handling, readiness, drain on shutdown and one error policy, written once.
 *
 *   const runner = new ConsumerRunner({ name, kafka, groupId, topics, stallAfterMs, commits, handle, ... });
 *   await runner.start();    // onApplicationBootstrap
 *   await runner.drain();    // beforeApplicationShutdown: stop fetching, finish and commit the batch in hand
 *   await runner.stop();     // onApplicationShutdown: drain, then disconnect the runner's producer
 *   await runner.ready();    // a ReadinessCheck: throws when not in the group or a partition is stalled
 *
 * `handle(slice)` gets consecutive messages of one partition (the batch, or a part of it while a
 * poison message is being isolated). Two modes:
 *  - `commits: 'runner'`: after `handle` resolves, the runner dead-letters what the handler refused
 *    with `slice.refuse(message, refusal)` and commits `slice.nextOffset`. Handlers must be
 *    idempotent (a crash before the commit redelivers the slice). A message isolated as poison is
 *    dead-lettered on `<topic>.dlq` with `deadLetterMessage` and committed.
 *  - `commits: 'handler'` (exactly-once): `handle` commits its own offsets, e.g. in its Kafka
 *    transaction with `transaction.sendOffsets(slice.offsets)`, and `isolate(slice, refusal)` must
 *    dead-letter the one message of its slice and send its offsets in one transaction too.
 *
 * Errors: `classifyError` tells transient from poison. Transient errors retry the same slice in place
 * (backoff 200 ms doubling to 10 s, heartbeating) while the consumer runs and the batch is not stale;
 * poison errors bisect the slice until the failing message is alone, which is isolated
 * (`cie_consumer_isolated_messages_total`) while the rest proceeds and commits.
 */
export interface BatchSlice {
  readonly topic: string;
  readonly partition: number;
  /** Consecutive messages of the partition, never empty. */
  readonly messages: readonly KafkaMessage[];
  /** The offset that commits this slice: its last message's offset + 1. */
  readonly nextOffset: string;
  /** `nextOffset` as `transaction.sendOffsets` takes it. */
  readonly offsets: Offsets & { consumerGroupId: string };
  heartbeat(): Promise<void>;
}

export interface RefusingSlice extends BatchSlice {
  /** Dead-letters `message` with its code once `handle` resolves, before the commit. */
  refuse(message: KafkaMessage, refusal: Refusal): void;
  /**
   * Decodes each message; one whose `decode` throws a `RefusalError` (or an `InvalidEnvelopeError`)
   * is refused with it and left out. Any other error is a bug and fails the slice.
   */
  decode<T>(decode: (message: KafkaMessage) => T): { message: KafkaMessage; value: T }[];
}

/** Sets aside the one message of `slice`: a dead letter, and (mode 'handler') its offset committed. */
export type IsolateMessage = (slice: BatchSlice, refusal: Refusal, error: unknown) => Promise<void>;

interface CommonOptions {
  /** For logs and the `consumer` metric label, e.g. `courts-requests`. */
  name: string;
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Where a new group starts: true (the default) reads what is already there. */
  fromBeginning?: boolean;
  /** More kafkajs consumer settings (sessionTimeout, heartbeatInterval, readUncommitted...). */
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  partitionsConsumedConcurrently?: number;
  /** A partition with lag and no progress for this long makes `ready()` fail (KAFKA_STALL_AFTER_MS). */
  stallAfterMs: number;
  /** Called on every join of the group, before the first batch of the new assignment. */
  onGroupJoin?: () => void;
  /** When kafkajs gives up for good; the default exits so that the supervisor restarts the process. */
  onCrash?: (error: Error) => void;
  backoff?: { initialMs: number; maxMs: number };
  now?: () => number;
}

export type ConsumerRunnerOptions = CommonOptions &
  (
    | {
        commits: 'runner';
        handle(slice: RefusingSlice): Promise<void>;
        /** Replaces the default (dead letter on `<topic>.dlq`); the runner commits after it. */
        isolate?: IsolateMessage;
        /** Count refused messages in `cie_dead_letters_total` by code (default true). */
        countRefusals?: boolean;
      }
    | {
        commits: 'handler';
        handle(slice: BatchSlice): Promise<void>;
        isolate: IsolateMessage;
      }
  );

interface PartitionProgress {
  highWatermark: bigint;
  /** The next offset to process. */
  next: bigint;
  /** The last progress, or when new messages arrived at an idle partition. */
  since: number;
}

/** Thrown to leave a batch whose remaining messages will be fetched again (shutdown, rebalance). */
class BatchAbandoned extends Error {}

const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 10_000 };
const PAUSE_STEP_MS = 1000;

export class ConsumerRunner {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly ownProducer: Producer | undefined;
  private readonly progress = new Map<string, PartitionProgress>();
  private joined = false;
  private readonly now: () => number;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.logger = new Logger(`ConsumerRunner:${options.name}`);
    this.now = options.now ?? Date.now;
    const { kafka, groupId } = options;
    this.consumer = kafka.consumer({ allowAutoTopicCreation: false, ...options.consumer, groupId });
    trackConsumerLag(this.consumer, groupId);
    this.ownProducer =
      options.commits === 'runner'
        ? kafka.producer({
            idempotent: true,
            maxInFlightRequests: 1,
            allowAutoTopicCreation: false,
            // The Java client's partitioner (murmur2), stated so kafkajs does not warn about its default.
            createPartitioner: Partitioners.DefaultPartitioner,
          })
        : undefined;
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      const held = new Set(
        Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => key(t, p))),
      );
      for (const k of this.progress.keys()) if (!held.has(k)) this.progress.delete(k);
      options.onGroupJoin?.();
    });
    for (const event of [events.REBALANCING, events.STOP, events.DISCONNECT])
      this.consumer.on(event, () => (this.joined = false));
    this.consumer.on(events.CRASH, ({ payload }) => {
      this.joined = false;
      if (payload.restart) return;
      this.logger.error(
        `consumer stopped for good: ${payload.error.message}; exiting so that it is restarted`,
      );
      (options.onCrash ?? (() => process.exit(1)))(payload.error);
    });
  }

  /** The idempotent producer of mode 'runner' (dead letters), connected by `start()`: handlers may publish with it. */
  get producer(): Producer {
    if (!this.ownProducer)
      throw new Error(`consumer ${this.options.name} commits its own offsets and has no producer`);
    return this.ownProducer;
  }

  async start(): Promise<void> {
    await this.ownProducer?.connect();
    await this.consumer.connect();
    // A topic just created on a cluster is unknown to a broker until its metadata arrives there, and
    // kafkajs' subscribe does not ask again (a chaos cluster's courts service stopped at start on it).
    await retryWhileLeadersSettle(() =>
      this.consumer.subscribe({
        topics: this.options.topics,
        fromBeginning: this.options.fromBeginning ?? true,
      }),
    );
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.log(`consuming ${this.options.topics.join(', ')} as ${this.options.groupId}`);
  }

  /** Stops fetching; the slice in hand finishes and commits; what is left is read again later. */
  async drain(): Promise<void> {
    await this.consumer.disconnect();
  }

  async stop(): Promise<void> {
    await this.drain();
    await this.ownProducer?.disconnect();
  }

  /** Resolves when the consumer is in its group and no partition with lag has stood still too long. */
  ready(): Promise<void> {
    if (!this.joined)
      return Promise.reject(new Error(`consumer group ${this.options.groupId} is not joined`));
    const now = this.now();
    for (const [k, p] of this.progress) {
      const lag = p.highWatermark - p.next;
      const idle = now - p.since;
      if (lag > 0n && idle > this.options.stallAfterMs)
        return Promise.reject(
          new Error(`${k} has lag ${lag} and no progress for ${Math.round(idle / 1000)} s`),
        );
    }
    return Promise.resolve();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    this.track(batch.topic, batch.partition, BigInt(batch.firstOffset() ?? '0'), BigInt(batch.highWatermark));
    try {
      await isolatePoison(
        batch.messages,
        (run) => this.attempt(payload, run),
        (message, error) => this.isolate(payload, message, error),
      );
    } catch (error) {
      if (error instanceof BatchAbandoned) return;
      throw error;
    }
  }

  /** Handles and commits one run, retrying transient errors in place; a poison error is returned. */
  private async attempt(payload: EachBatchPayload, run: readonly KafkaMessage[]): Promise<SliceOutcome> {
    const slice = this.slice(payload, run);
    return this.retrying(payload, slice, async () => {
      const options = this.options;
      if (options.commits === 'handler') {
        await options.handle(slice);
      } else {
        const refused: { message: KafkaMessage; refusal: Refusal }[] = [];
        const refuse = (message: KafkaMessage, refusal: Refusal) => refused.push({ message, refusal });
        await options.handle({ ...slice, refuse, decode: (decode) => decodeEach(slice, decode, refuse) });
        await this.deadLetter(slice, refused);
        if (options.countRefusals ?? true)
          for (const { refusal } of refused)
            cieMetrics.deadLetters.inc({ topic: slice.topic, reason: refusal.code });
        await this.commit(slice);
      }
      this.advanced(payload, slice);
    });
  }

  private async isolate(payload: EachBatchPayload, message: KafkaMessage, error: unknown): Promise<void> {
    const slice = this.slice(payload, [message]);
    const refusal = refusalForError(error);
    this.logger.warn(
      `isolating ${slice.topic}[${slice.partition}]@${message.offset}: ${refusal.code}: ${refusal.detail}`,
    );
    const outcome = await this.retrying(payload, slice, async () => {
      const options = this.options;
      if (options.commits === 'handler') {
        await options.isolate(slice, refusal, error);
      } else {
        await (options.isolate ?? ((s, r) => this.deadLetter(s, [{ message, refusal: r }])))(
          slice,
          refusal,
          error,
        );
        await this.commit(slice);
      }
      this.advanced(payload, slice);
    });
    // Not even the dead letter can be written: keep the partition where it is; ready() reports it.
    if (!outcome.ok) throw outcome.error;
    const labels = { topic: slice.topic, reason: refusal.code };
    cieMetrics.deadLetters.inc(labels);
    cieMetrics.isolatedMessages.inc({ consumer: this.options.name, topic: slice.topic, code: refusal.code });
  }

  private async retrying(
    payload: EachBatchPayload,
    slice: BatchSlice,
    work: () => Promise<void>,
  ): Promise<SliceOutcome> {
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    for (let failures = 0; ; failures++) {
      try {
        await work();
        return { ok: true };
      } catch (error) {
        const kind = classifyError(error);
        // Not this message's fault, and not for this member to retry: kafkajs rejoins and reads it again.
        if (kind === 'abandon') throw error;
        if (kind === 'poison') return { ok: false, error };
        const delay = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 30));
        this.logger.warn(
          `${slice.topic}[${slice.partition}]@${slice.messages[0]?.offset}: transient error, retrying in ${delay} ms: ${errorText(error)}`,
        );
        await this.pause(payload, delay);
      }
    }
  }

  /** Waits, heartbeating, and gives up the batch as soon as it is stale or the consumer stops. */
  private async pause(payload: EachBatchPayload, ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      if (!payload.isRunning() || payload.isStale()) throw new BatchAbandoned();
      await payload.heartbeat();
      const left = until - this.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, PAUSE_STEP_MS)));
    }
  }

  private async deadLetter(
    slice: BatchSlice,
    refused: { message: KafkaMessage; refusal: Refusal }[],
  ): Promise<void> {
    if (refused.length === 0) return;
    for (const { message, refusal } of refused)
      this.logger.warn(
        `dead-lettering ${slice.topic}[${slice.partition}]@${message.offset}: ${refusal.code}: ${refusal.detail}`,
      );
    await this.producer.send({
      topic: `${slice.topic}.dlq`,
      acks: -1,
      messages: refused.map(({ message, refusal }) =>
        deadLetterMessage(
          { topic: slice.topic, partition: slice.partition, offset: message.offset },
          message,
          refusal,
        ),
      ),
    });
  }

  private async commit(slice: BatchSlice): Promise<void> {
    await this.consumer.commitOffsets([
      { topic: slice.topic, partition: slice.partition, offset: slice.nextOffset },
    ]);
  }

  private slice(payload: EachBatchPayload, messages: readonly KafkaMessage[]): BatchSlice {
    const { topic, partition } = payload.batch;
    const last = messages.at(-1);
    const nextOffset = last ? (BigInt(last.offset) + 1n).toString() : '0';
    return {
      topic,
      partition,
      messages,
      nextOffset,
      offsets: {
        consumerGroupId: this.options.groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
      },
      heartbeat: () => payload.heartbeat(),
    };
  }

  private track(topic: string, partition: number, first: bigint, highWatermark: bigint): void {
    const k = key(topic, partition);
    const known = this.progress.get(k);
    // Time spent idle at the end of the partition is not time without progress.
    if (!known || known.next >= known.highWatermark)
      this.progress.set(k, { highWatermark, next: first, since: this.now() });
    else known.highWatermark = highWatermark;
  }

  private advanced(payload: EachBatchPayload, slice: BatchSlice): void {
    const last = slice.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    const p = this.progress.get(key(slice.topic, slice.partition));
    if (p) {
      p.next = BigInt(slice.nextOffset);
      p.since = this.now();
    }
  }
}

/**
 * A Nest provider that is one consumer: the lifecycle hooks and readiness of its `runner`, so that
 * each consumer class holds only its handler.
 */
export abstract class RunnerConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  protected abstract readonly runner: ConsumerRunner;

  onApplicationBootstrap(): Promise<void> {
    return this.runner.start();
  }

  /** Stops fetching; the batch in hand is finished and committed first. */
  beforeApplicationShutdown(): Promise<void> {
    return this.runner.drain();
  }

  onApplicationShutdown(): Promise<void> {
    return this.runner.stop();
  }

  ready(): Promise<void> {
    return this.runner.ready();
  }
}

function decodeEach<T>(
  slice: BatchSlice,
  decode: (message: KafkaMessage) => T,
  refuse: (message: KafkaMessage, refusal: Refusal) => void,
): { message: KafkaMessage; value: T }[] {
  return slice.messages.flatMap((message) => {
    try {
      return [{ message, value: decode(message) }];
    } catch (error) {
      if (error instanceof RefusalError) refuse(message, error.refusal);
      else if (error instanceof InvalidEnvelopeError)
        refuse(message, { code: 'invalid_envelope', field: error.header, detail: error.message });
      else throw error;
      return [];
    }
  });
}

const key = (topic: string, partition: number) => `${topic}[${partition}]`;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
