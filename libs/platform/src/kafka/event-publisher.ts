import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import kafkajs, { type Admin, CompressionTypes, type Kafka, type Producer } from 'kafkajs';
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

  constructor(
    private readonly kafka: Kafka,
    partitions: number,
    /** KAFKA_PUBLISH_TIMEOUT_MS */
    private readonly publishTimeoutMs: number,
  ) {
    this.partitioner = new KeyPartitioner(partitions);
    // Few retries, and a publish bounded by publishTimeoutMs: an agency waiting on a broker that is
    // down gets a 503 within seconds rather than a hung request (kafkajs' reconnects alone last a
    // minute and more). Safe for exactly-once: a record answered 503 is re-sent with the same event
    // id, which the exchange de-duplicates.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
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
      return await this.withinPublishTimeout(topic, this.send(topic, events, traceparent));
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
   * `sending`, or BrokerUnavailableError once `publishTimeoutMs` has passed without it: with its only
   * broker gone (shut down on a full disk, killed), kafkajs keeps reconnecting for a minute and more,
   * and the agency would wait for its request's deadline instead of a prompt 503.
   */
  private async withinPublishTimeout<T>(topic: string, sending: Promise<T>): Promise<T> {
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
        this.publishTimeoutMs,
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
      const results = await this.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: chunk,
      });
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
