import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import kafkajs, { type Kafka, type RecordMetadata } from 'kafkajs';
import { BrokerUnavailableError, EventPublisher } from './event-publisher.js';
import { createKafka } from './kafka-client.js';
import { KeyPartitioner } from './key-partitioner.js';

const { KafkaJSError } = kafkajs;
/** KAFKA_PUBLISH_TIMEOUT_MS of these publishers. */
const TIMEOUT = 15_000;

/**
 * The publisher's sends take turns, each waiting its publish timeout (TIMEOUT) at most. Its producer is a
 * stand-in whose sends the test settles by hand: what is under test is the publisher's queue, not
 * Kafka (the sector services' integration tests publish to a real broker).
 */
function publisherWithSends(partitions = 1) {
  const sends: { topic: string; settle: (offset: string) => void; fail: (e: Error) => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    send: ({ topic, messages }: { topic: string; messages: { partition: number }[] }) =>
      new Promise<RecordMetadata[]>((resolve, reject) =>
        sends.push({
          topic,
          settle: (offset) =>
            resolve([
              { topicName: topic, partition: messages[0]!.partition, errorCode: 0, baseOffset: offset },
            ]),
          fail: reject,
        }),
      ),
  };
  const kafka = { producer: () => producer } as unknown as Kafka;
  const publisher = new EventPublisher(kafka, partitions, TIMEOUT);
  const publish = (topic: string, key = 'k') =>
    publisher.publishBatch(topic, [
      {
        key,
        value: Buffer.from('v'),
        ctx: { id: topic, source: 's', type: 't', time: new Date(0), subject: 'x', dataschema: 'd' },
      },
    ]);
  return { sends, publish };
}

/** Lets queued promise callbacks run (setImmediate is left real under fake timers). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('EventPublisher turns', () => {
  afterEach(() => jest.useRealTimers());

  it('sends one publish at a time, in order', async () => {
    const { sends, publish } = publisherWithSends();
    const a = publish('a');
    const b = publish('b');
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a']);
    sends[0]!.settle('7');
    await expect(a).resolves.toEqual([{ topic: 'a', partition: 0, offset: '7' }]);
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a', 'b']);
    sends[1]!.settle('8');
    await expect(b).resolves.toEqual([{ topic: 'b', partition: 0, offset: '8' }]);
  });

  it('answers a publish that waited its timeout for its turn as failed, and never sends it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { sends, publish } = publisherWithSends();
    const a = publish('a');
    const aFailed = expect(a).rejects.toBeInstanceOf(BrokerUnavailableError);
    await flush();
    jest.advanceTimersByTime(TIMEOUT / 2);
    const b = publish('b');
    const bFailed = expect(b).rejects.toBeInstanceOf(BrokerUnavailableError);
    await flush();
    // a's send has begun and is still out: a is answered at its timeout, b keeps waiting.
    jest.advanceTimersByTime(TIMEOUT / 2 + 1);
    await aFailed;
    jest.advanceTimersByTime(TIMEOUT / 2);
    await bFailed;
    // The send that had begun is not taken back (kafkajs cannot); b was never sent.
    sends[0]!.settle('3');
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a']);
    // The next publish goes ahead at once.
    const c = publish('c');
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a', 'c']);
    sends[1]!.settle('4');
    await expect(c).resolves.toHaveLength(1);
  });

  it('lets a publish to another partition go on while one waits', async () => {
    const partitioner = new KeyPartitioner(2);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const first = keys[0]!;
    const other = keys.find((k) => partitioner.partition(k) !== partitioner.partition(first))!;
    const { sends, publish } = publisherWithSends(2);
    const a = publish('a', first);
    const b = publish('b', other);
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a', 'b']);
    sends[1]!.settle('1');
    await expect(b).resolves.toHaveLength(1);
    sends[0]!.settle('1');
    await expect(a).resolves.toHaveLength(1);
  });

  it('sends again when kafkajs gives up, within the same turn', async () => {
    const { sends, publish } = publisherWithSends();
    const a = publish('a');
    const b = publish('b');
    await flush();
    sends[0]!.fail(new KafkaJSError('Connection error: connect ECONNREFUSED 127.0.0.1:26202'));
    // Sent again (after 250 ms) before b's turn comes.
    while (sends.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sends.map((s) => s.topic)).toEqual(['a', 'a']);
    sends[1]!.settle('5');
    await expect(a).resolves.toEqual([{ topic: 'a', partition: 0, offset: '5' }]);
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a', 'a', 'b']);
    sends[2]!.settle('6');
    await expect(b).resolves.toHaveLength(1);
  });
});

const event = {
  key: 'subject',
  value: Buffer.from('event'),
  ctx: {
    id: 'e1',
    source: 'test',
    type: 'credit.record.published',
    time: new Date(0),
    subject: 'subject',
    dataschema: 'cie.test.Event',
  },
};

describe('EventPublisher with its only broker gone', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('answers BrokerUnavailableError once its publish timeout passes, while kafkajs is still reconnecting to a broker that is gone', async () => {
    // Given a real client whose only broker is gone: port 1 on loopback refuses every connection,
    // and kafkajs reconnects for seconds (5 retries here; the services' 8 take about 40 s)
    const kafka = createKafka('publish-timeout', ['127.0.0.1:1'], {
      retry: { initialRetryTime: 200, retries: 5 },
    });
    const publisher = new EventPublisher(kafka, 3, 500);
    const gaveUp = publisher.ready().then(
      () => 'connected',
      () => 'kafkajs gave up',
    );
    // When a record is published
    const published = publisher.publishBatch('credit.courts.events.v1', [event]).then(
      () => 'published',
      (error: unknown) => error,
    );
    // Then it is refused by the timeout, before kafkajs gives up reconnecting
    expect(await Promise.race([published, gaveUp])).toEqual(
      new BrokerUnavailableError('Kafka did not acknowledge credit.courts.events.v1 within 500 ms'),
    );
    expect(await gaveUp).toBe('kafkajs gave up');
    await publisher.onApplicationShutdown();
  }, 30_000);
});
