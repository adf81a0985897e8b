import { jest } from '@jest/globals';
import type { Kafka, RecordMetadata } from 'kafkajs';
import { BrokerUnavailableError, EventPublisher, PUBLISH_DEADLINE_MS } from './event-publisher.js';

/**
 * The publisher's sends take turns, each waiting PUBLISH_DEADLINE_MS at most. Its producer is a
 * stand-in whose sends the test settles by hand: what is under test is the publisher's queue, not
 * Kafka (the sector services' integration tests publish to a real broker).
 */
function publisherWithSends() {
  const sends: { topic: string; settle: (offset: string) => void; fail: (e: Error) => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    send: ({ topic }: { topic: string }) =>
      new Promise<RecordMetadata[]>((resolve, reject) =>
        sends.push({
          topic,
          settle: (offset) => resolve([{ topicName: topic, partition: 0, errorCode: 0, baseOffset: offset }]),
          fail: reject,
        }),
      ),
  };
  const kafka = { producer: () => producer } as unknown as Kafka;
  const publisher = new EventPublisher(kafka, 1);
  const publish = (topic: string) =>
    publisher.publishBatch(topic, [
      {
        key: 'k',
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
});
