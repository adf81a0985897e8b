import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, {
  type Admin,
  CompressionTypes,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import { failSpan, SpanKind, startSpan, traceparentOf } from '../observability/tracing.js';
import { KeyPartitioner } from './key-partitioner.js';
import type { CloudEventContext } from '@cie/contracts';
import { cloudEventHeaders } from './cloudevent-headers.js';
import { chunksBySize, MAX_REQUEST_BYTES } from './chunks-by-size.js';
import { classifyError } from './error-classification.js';

// kafkajs is CommonJS; its error classes are only reachable through the default export under ESM.
const { KafkaJSError } = kafkajs;

export interface PublishedPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * How long a publish is sent again while the broker does not take it (`sendRetrying`), within its
 * KAFKA_PUBLISH_TIMEOUT_MS: long enough for a cluster to move a killed broker's partitions (KRaft
 * notices a broker gone after its 9 s session).
 */
export const SEND_RETRY_MS = 11_000;

/** The broker could not be reached or did not acknowledge: nothing may be claimed as accepted. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

/**
 * Publishes protobuf events with CloudEvents headers through an idempotent producer with acks=all.
 * A send resolves only once every in-sync replica has the message, so callers may acknowledge then;
 * it fails with BrokerUnavailableError when that has not happened within `publishTimeoutMs`.
 */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly producer: Producer;
  private connected?: Promise<void>;
  private admin?: { client: Admin; connected: Promise<void> };

  private readonly partitioner: KeyPartitioner;
  /** Each partition's last send queued: the next waits for it (`inTurn`). */
  private readonly tails = new Map<number, Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    partitions: number,
    /** KAFKA_PUBLISH_TIMEOUT_MS */
    private readonly publishTimeoutMs: number,
  ) {
    this.partitioner = new KeyPartitioner(partitions);
    // Few retries inside kafkajs (its retries of one send, nested with its metadata refreshes, held a
    // send 30 s with a broker killed); `sendRetrying` sends again instead, and a publish is bounded
    // by publishTimeoutMs: an agency waiting on a broker that is down gets a 503 rather than a hung
    // request (kafkajs' reconnects alone last a minute and more). Safe for exactly-once: a record
    // answered 503 is re-sent with the same event id, which the exchange de-duplicates.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    });
  }

  async connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
  }

  async publish<D extends DescMessage>(
    topic: string,
    key: string,
    schema: D,
    message: MessageShape<D>,
    ctx: Omit<CloudEventContext, 'dataschema'>,
  ): Promise<PublishedPosition> {
    const [position] = await this.publishBatch(topic, [
      { key, value: Buffer.from(toBinary(schema, message)), ctx: { ...ctx, dataschema: schema.typeName } },
    ]);
    if (!position) throw new BrokerUnavailableError(`no acknowledgement from ${topic}`);
    return position;
  }

  /**
   * Publishes encoded events in as few requests as the broker's size limit allows and returns each
   * one's position, in input order. With one request in flight, a partition's messages in a request
   * get consecutive offsets from the base offset the broker acknowledges.
   */
  async publishBatch(
    topic: string,
    events: { key: string; value: Buffer; ctx: CloudEventContext }[],
  ): Promise<PublishedPosition[]> {
    if (events.length === 0) return [];
    // One producer span per request, child of the caller's span (the HTTP request, a consumed
    // submission); events that name their own parent (one per Kafka submission) keep it.
    const span = startSpan(`${topic} publish`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': events.length,
      },
    });
    const traceparent = traceparentOf(span);
    try {
      // One deadline for the whole publish: the caller is answered at it, and a send still waiting
      // for its turn then is never made (`inTurn`).
      const deadline = Date.now() + this.publishTimeoutMs;
      return await this.until(deadline, topic, this.send(topic, events, traceparent, deadline));
    } catch (error) {
      failSpan(span, error);
      // kafkajs' own errors, and what the one classification calls transient: kafkajs also throws a
      // plain Error('Broker not connected') when its broker goes away mid-request.
      if (
        error instanceof KafkaJSError ||
        error instanceof BrokerUnavailableError ||
        classifyError(error) === 'transient'
      ) {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`publish to ${topic} failed: ${message}`);
        throw new BrokerUnavailableError(message);
      }
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * `sending`, or BrokerUnavailableError at `deadline` (publishTimeoutMs after the publish began):
   * with its only broker gone (shut down on a full disk, killed), kafkajs keeps reconnecting for a
   * minute and more, and the agency would wait for its request's deadline instead of a prompt 503.
   */
  private async until<T>(deadline: number, topic: string, sending: Promise<T>): Promise<T> {
    // The abandoned send may still succeed or fail later: a record answered 503 may or may not be on
    // the topic, and is sent again under the same event id, which the exchange de-duplicates.
    sending.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BrokerUnavailableError(
              `Kafka did not acknowledge ${topic} within ${this.publishTimeoutMs} ms`,
            ),
          ),
        deadline - Date.now(),
      );
    });
    try {
      return await Promise.race([sending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(
    topic: string,
    events: { key: string; value: Buffer; ctx: CloudEventContext }[],
    traceparent: string | undefined,
    deadline: number,
  ): Promise<PublishedPosition[]> {
    await this.connect();
    const messages = events.map((e) => ({
      key: e.key,
      value: e.value,
      partition: this.partitioner.partition(e.key),
      headers: cloudEventHeaders(e.ctx.traceparent || !traceparent ? e.ctx : { ...e.ctx, traceparent }),
    }));
    // In requests under the broker's limit, one after the other: a bulk flush can be megabytes, and
    // one request over the limit is refused on every retry. A chunk that fails fails the batch; the
    // chunks before it are re-sent under the same event ids, which the exchange de-duplicates.
    const positions: PublishedPosition[] = [];
    for (const chunk of chunksBySize(messages, MAX_REQUEST_BYTES)) {
      const results = await this.inTurn([...new Set(chunk.map((m) => m.partition))], deadline, () =>
        this.sendRetrying(topic, chunk),
      );
      const next = new Map(results.map((r) => [r.partition, BigInt(r.baseOffset ?? '-1')]));
      for (const { partition } of chunk) {
        const offset = next.get(partition);
        if (offset === undefined || offset < 0n)
          throw new BrokerUnavailableError(`no acknowledgement for ${topic}[${partition}]`);
        next.set(partition, offset + 1n);
        positions.push({ topic, partition, offset: offset.toString() });
      }
    }
    return positions;
  }

  /**
   * Sends again while kafkajs gives up, for about SEND_RETRY_MS: long enough for a cluster to move a
   * killed broker's partitions (KRaft notices a broker gone after its 9 s session). Within the
   * partitions' turn, so a send again keeps its sequence numbers: if the first was in fact written,
   * the broker answers with its offset.
   */
  private async sendRetrying(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
      } catch (error) {
        if (
          !(error instanceof KafkaJSError) ||
          Date.now() - started > Math.min(SEND_RETRY_MS, this.publishTimeoutMs)
        )
          throw error;
        this.logger.warn(`publish to ${topic} failed (attempt ${attempt}), sending again: ${error.message}`);
        await sleep(Math.min(2000, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * A partition's sends one at a time, so a send again keeps its sequence numbers. The patched
   * kafkajs serializes an idempotent producer's sends per partition too (patches/README.md), which
   * protects every producer; this layer is what lets a publish whose deadline passed while it waited
   * be dropped unsent: while a partition's leader is down, a queue of requests each waiting out the
   * retries of the one before would otherwise grow without end. A send waits for the sends before it
   * on any of its partitions; sends to other partitions go on meanwhile. Once begun, a send runs to
   * its end (kafkajs cannot take a request back, and `sendRetrying` bounds it).
   */
  private inTurn<T>(partitions: number[], deadline: number, send: () => Promise<T>): Promise<T> {
    const before = Promise.all(partitions.map((p) => this.tails.get(p) ?? Promise.resolve()));
    const turn = before.then(() => {
      if (Date.now() >= deadline)
        throw new BrokerUnavailableError(
          `not sent within ${this.publishTimeoutMs} ms: the publishes before it on ${partitions.length === 1 ? `partition ${partitions[0]}` : 'its partitions'} were still failing`,
        );
      return send();
    });
    const tail = turn.then(
      () => undefined,
      () => undefined,
    );
    for (const p of partitions) this.tails.set(p, tail);
    void tail.then(() => {
      for (const p of partitions) if (this.tails.get(p) === tail) this.tails.delete(p);
    });
    return turn;
  }

  /**
   * A readiness probe: the producer is connected and a broker answers a metadata request now (a
   * connected producer alone says nothing once the broker has gone away).
   */
  async ready(): Promise<void> {
    await this.connect();
    if (!this.admin) {
      const client = this.kafka.admin({ retry: { retries: 0 } });
      this.admin = { client, connected: client.connect() };
    }
    try {
      await this.admin.connected;
    } catch (error) {
      this.admin = undefined;
      throw error;
    }
    await this.admin.client.describeCluster();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.client.disconnect().catch(() => undefined);
    await this.producer.disconnect();
  }
}
