import type { OnApplicationShutdown } from '@nestjs/common';
import { BrokerUnavailableError, chunksBySize, MAX_REQUEST_BYTES } from '@cie/platform';
import kafkajs, { type Kafka, type Producer, type RecordMetadata } from 'kafkajs';

// kafkajs is CommonJS; its error classes are only reachable through the default export under ESM.
const { KafkaJSError } = kafkajs;

/** A message an operator action sends as it is: already encoded, with all its headers. */
export interface OperatorMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * The one way operator actions (a dead-letter replay, a subscriber resync) put messages back on a
 * topic: an idempotent producer, acks from every in-sync replica, in requests under the broker's
 * limit, keyed as the original so each lands on the partition it went to first.
 */
export class OperatorPublisher implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  /**
   * Sends the messages in order; resolves once all are acknowledged, with each request's positions.
   * Throws BrokerUnavailableError when Kafka did not take them (some chunks may have gone).
   */
  async send(topic: string, messages: OperatorMessage[]): Promise<RecordMetadata[]> {
    try {
      return await this.sendChunks(topic, messages);
    } catch (error) {
      if (error instanceof KafkaJSError) throw new BrokerUnavailableError(error.message);
      throw error;
    }
  }

  private async sendChunks(topic: string, messages: OperatorMessage[]): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const positions: RecordMetadata[] = [];
    for (const chunk of chunksBySize(messages, MAX_REQUEST_BYTES))
      positions.push(...(await this.producer.send({ topic, acks: -1, messages: chunk })));
    return positions;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}
