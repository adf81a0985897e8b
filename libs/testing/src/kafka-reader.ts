import { randomUUID } from 'node:crypto';
import { isCreditEventType, Topics } from '@cie/contracts';
import { type IHeaders, Kafka, logLevel } from 'kafkajs';

/** One consumed record. `value` is empty for a tombstone; header values are decoded as UTF-8. */
export interface ReadMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

export interface ReadTopicOptions {
  /** Stop reading as soon as this returns true for the messages read so far. */
  until: (messages: readonly ReadMessage[]) => boolean;
  /** Stop after this long even when `until` never became true; the messages read so far are returned. */
  timeoutMs?: number;
  /** Start from the earliest offset (default) rather than the latest. */
  fromBeginning?: boolean;
  /** Skip records of aborted and open transactions (default), as real consumers do. */
  readCommitted?: boolean;
  /** Keep only the messages this accepts (the others are read past, never returned). */
  only?: (message: ReadMessage) => boolean;
}

/** The brokers of the integration tests, from KAFKA_BROKERS (comma-separated host:port list). */
export function testKafkaBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error(
      'KAFKA_BROKERS is not set: run the integration tests through `npm test` (which starts a local broker) ' +
        'or set KAFKA_BROKERS to a Kafka bootstrap list such as 127.0.0.1:9092.',
    );
  }
  return brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** A kafkajs client for the test brokers, quiet below warnings. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: testKafkaBrokers(),
    logLevel: logLevel.WARN,
  });
}

/**
 * Reads `topic` with a fresh, uniquely named consumer group until `until` is satisfied or
 * `timeoutMs` passes, and returns what was read (callers assert on it). Always disconnects.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  { until, timeoutMs = 20_000, fromBeginning = true, readCommitted = true, only }: ReadTopicOptions,
): Promise<ReadMessage[]> {
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({
    groupId: `test-reader-${topic}-${randomUUID()}`,
    readUncommitted: !readCommitted,
    // A short-lived reader: react fast, and let the broker forget it soon.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    retry: { retries: 3 },
  });

  let finish: () => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timer = setTimeout(finish, timeoutMs);
  const removeCrashListener = consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    if (until(messages)) return messages;
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        const read: ReadMessage = {
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value ?? Buffer.alloc(0),
          headers: decodeHeaders(message.headers),
          partition,
          offset: message.offset,
        };
        if (only && !only(read)) return Promise.resolve();
        messages.push(read);
        if (until(messages)) finish();
        return Promise.resolve();
      },
    });
    await done;
    return messages;
  } finally {
    clearTimeout(timer);
    removeCrashListener();
    await consumer.disconnect().catch(() => undefined);
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

/**
 * A subscriber's feed, its record events only (FeedEvent values): the measure tasks the feed also
 * carries (`credit.measure.task`) are read past.
 */
export function readFeed(
  kafka: Kafka,
  subscriberId: string,
  options: Omit<ReadTopicOptions, 'only'>,
): Promise<ReadMessage[]> {
  return readTopic(kafka, Topics.feed(subscriberId), {
    ...options,
    only: (m) => isCreditEventType(m.headers['ce_type']),
  });
}
