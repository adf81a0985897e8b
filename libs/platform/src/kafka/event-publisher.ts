import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type DescMessage, type MessageShape, toBinary } from '@bufbuild/protobuf';
import kafkajs, { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type { CloudEventContext } from '@cie/contracts';
import { cloudEventHeaders } from './cloudevent-headers.js';

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
 * A send resolves only once every in-sync replica has the message, so callers may acknowledge then.
 */
@Injectable()
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
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
    try {
      await this.connect();
      const [result] = await this.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: [
          {
            key,
            value: Buffer.from(toBinary(schema, message)),
            headers: cloudEventHeaders({ ...ctx, dataschema: schema.typeName }),
          },
        ],
      });
      if (!result) throw new BrokerUnavailableError(`no acknowledgement from ${topic}`);
      return { topic, partition: result.partition, offset: result.baseOffset ?? '' };
    } catch (error) {
      if (error instanceof KafkaJSError || error instanceof BrokerUnavailableError) {
        this.logger.warn(`publish to ${topic} failed: ${error.message}`);
        throw new BrokerUnavailableError(error.message);
      }
      throw error;
    }
  }

  /** A readiness probe: the producer is connected (it reconnects on its own). */
  async ready(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
