import { jest } from '@jest/globals';
import kafkajs, { type Kafka, type RecordMetadata } from 'kafkajs';
import { BrokerUnavailableError, EventPublisher, PUBLISH_DEADLINE_MS } from './event-publisher.js';
import { KeyPartitioner } from './key-partitioner.js';

const { KafkaJSError } = kafkajs;

/**
 * The publisher's sends take turns, each waiting PUBLISH_DEADLINE_MS at most. Its producer is a
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
  const publisher = new EventPublisher(kafka, partitions);
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

  it('answers a publish that waited PUBLISH_DEADLINE_MS for its turn as failed, and never sends it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { sends, publish } = publisherWithSends();
    const a = publish('a');
    const b = publish('b');
    const bFailed = expect(b).rejects.toBeInstanceOf(BrokerUnavailableError);
    await flush();
    jest.advanceTimersByTime(PUBLISH_DEADLINE_MS + 1);
    await bFailed;
    // The send that had begun is not given up: kafkajs cannot take a request back.
    sends[0]!.settle('3');
    await expect(a).resolves.toHaveLength(1);
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
    void publish('a', first);
    const b = publish('b', other);
    await flush();
    expect(sends.map((s) => s.topic)).toEqual(['a', 'b']);
    sends[1]!.settle('1');
    await expect(b).resolves.toHaveLength(1);
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
