import { randomUUID } from 'node:crypto';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { AgencyRequestType, CeHeader, FeedEventSchema, MeasureTaskSchema, Topics } from '@cie/contracts';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import type { FeedTailCommand } from './args.js';
import type { Io } from './submit.js';

/** Thrown when the feed cannot be read at all (no broker, no such topic): exit code 2. */
export class CannotTail extends Error {
  override readonly name = 'CannotTail';
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

/**
 * One feed message as the JSON line `cie feed tail` prints: a record event as `event`, a measure task
 * as `task`; throws when the value is not what its ce_type says.
 */
export function feedLine(partition: number, message: KafkaMessage): string {
  const value = message.value ?? new Uint8Array();
  const body =
    header(message, CeHeader.type) === AgencyRequestType.measureTask
      ? { task: toJson(MeasureTaskSchema, fromBinary(MeasureTaskSchema, value)) }
      : { event: toJson(FeedEventSchema, fromBinary(FeedEventSchema, value)) };
  return JSON.stringify({
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    type: header(message, CeHeader.type) ?? null,
    id: header(message, CeHeader.id) ?? null,
    time: header(message, CeHeader.time) ?? null,
    ...body,
  });
}

/**
 * Prints a subscriber's feed as JSON lines, as a consumer group of its own (a random id, so it
 * never takes partitions or offsets from the subscriber's real consumers), until stopped or --max.
 */
export async function feedTail(cmd: FeedTailCommand, io: Io, stop: Promise<void>): Promise<number> {
  const topic = Topics.feed(cmd.subscriber);
  const kafka = new Kafka({
    clientId: 'cie-cli',
    brokers: cmd.brokers,
    connectionTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 300 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new CannotTail(`no feed topic ${topic} on ${cmd.brokers.join(',')}`);
  } catch (error) {
    if (error instanceof CannotTail) throw error;
    throw new CannotTail(`cannot connect to Kafka at ${cmd.brokers.join(',')}: ${(error as Error).message}`);
  } finally {
    await admin.disconnect();
  }

  const consumer = kafka.consumer({ groupId: `cie-tail-${randomUUID()}`, allowAutoTopicCreation: false });
  let printed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: cmd.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        if (cmd.max !== undefined && printed >= cmd.max) return Promise.resolve();
        try {
          io.stdout.write(`${feedLine(partition, message)}\n`);
          printed += 1;
        } catch (error) {
          io.stderr.write(
            `cie feed tail: partition ${partition} offset ${message.offset} is not a FeedEvent: ${(error as Error).message}\n`,
          );
        }
        if (cmd.max !== undefined && printed >= cmd.max) done();
        return Promise.resolve();
      },
    });
    await Promise.race([finished, stop]);
    return 0;
  } catch (error) {
    throw new CannotTail(`cannot read ${topic}: ${(error as Error).message}`);
  } finally {
    await consumer.disconnect();
  }
}
