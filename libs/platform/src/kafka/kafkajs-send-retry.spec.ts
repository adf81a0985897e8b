import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJSProtocolError } from 'kafkajs';

/**
 * kafkajs' produce retry, as patched (patches/kafkajs+2.2.4.patch): after a failed attempt the
 * metadata is refreshed and partitions may have new leaders; what was already written must not be
 * written again, and what failed must not be skipped. Driven here through kafkajs' own sendMessages
 * with a cluster whose leaders move between attempts, as when one broker of three is killed.
 */
const require = createRequire(import.meta.url);
type SendMessages = (request: {
  acks: number;
  timeout: number;
  topicMessages: { topic: string; messages: { partition: number; value: string }[] }[];
}) => Promise<{ topicName: string; partition: number }[]>;
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (deps: unknown) => SendMessages;
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => unknown;

const notLeader = () =>
  new KafkaJSProtocolError({
    message: 'This server is not the leader for that topic-partition',
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
  } as unknown as Error);

interface Produced {
  nodeId: number;
  partition: number;
  firstSequence: number;
  count: number;
}

type Hook = (nodeId: number, attempt: number) => Promise<void>;

/**
 * A cluster of brokers 1-3 with topic `t`'s partitions led by `leaders`, which become `afterRefresh`
 * once the producer refreshes its metadata (a leader killed). Each partition has one log, as its
 * replicas share it, and refuses a batch whose first sequence it already holds as Kafka does: it
 * answers with that batch's offset and writes nothing. `before` may refuse a request (not written);
 * `after` may lose its answer (written, then the broker died).
 */
function harness(opts: {
  leaders: Record<number, number>;
  afterRefresh: Record<number, number>;
  before?: Hook;
  after?: Hook;
  retryMs?: number;
}) {
  let leaders = opts.leaders;
  const written: Produced[] = [];
  const logs = new Map<number, { firstSequence: number; values: string[] }[]>();
  const attempts = new Map<number, number>();
  const sequences = new Map<string, number>();
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({
      topicData,
    }: {
      topicData: {
        topic: string;
        partitions: { partition: number; firstSequence: number; messages: { value: string }[] }[];
      }[];
    }) => {
      const attempt = (attempts.get(nodeId) ?? 0) + 1;
      attempts.set(nodeId, attempt);
      await opts.before?.(nodeId, attempt);
      const offsets = new Map<number, number>();
      for (const { partitions } of topicData)
        for (const p of partitions) {
          const log = logs.get(p.partition) ?? [];
          logs.set(p.partition, log);
          const offsetOf = (i: number) => log.slice(0, i).reduce((n, b) => n + b.values.length, 0);
          const held = log.findIndex((b) => b.firstSequence === p.firstSequence);
          if (held >= 0) offsets.set(p.partition, offsetOf(held));
          else {
            offsets.set(p.partition, offsetOf(log.length));
            log.push({ firstSequence: p.firstSequence, values: p.messages.map((m) => m.value) });
            written.push({
              nodeId,
              partition: p.partition,
              firstSequence: p.firstSequence,
              count: p.messages.length,
            });
          }
        }
      await opts.after?.(nodeId, attempt);
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({
            partition,
            errorCode: 0,
            baseOffset: String(offsets.get(partition)),
          })),
        })),
      };
    },
  });
  // New broker objects after each refresh, as kafkajs makes when a broker leaves and comes back.
  let brokers = new Map([1, 2, 3].map((id) => [id, broker(id)]));
  const metadata = () =>
    Object.entries(leaders).map(([partitionId, leader]) => ({ partitionId: Number(partitionId), leader }));
  const cluster = {
    targetTopics: new Set<string>(),
    addMultipleTargetTopics: () => Promise.resolve(),
    refreshMetadataIfNecessary: () => Promise.resolve(),
    refreshMetadata: () => {
      leaders = opts.afterRefresh;
      brokers = new Map([1, 2, 3].map((id) => [id, broker(id)]));
      return Promise.resolve();
    },
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => metadata(),
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const result: Record<number, number[]> = {};
      for (const p of partitions.map(Number)) (result[leaders[p]!] ??= []).push(p);
      return result;
    },
    findBroker: ({ nodeId }: { nodeId: string }) => Promise.resolve(brokers.get(Number(nodeId))),
  };
  const eosManager = {
    isInitialized: () => true,
    isTransactional: () => true,
    addPartitionsToTransaction: () => Promise.resolve(),
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}|${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, n: number) =>
      sequences.set(`${topic}|${partition}`, (sequences.get(`${topic}|${partition}`) ?? 0) + n),
    acquireBrokerLock: () => Promise.resolve(),
    releaseBrokerLock: () => Promise.resolve(),
    getTransactionalId: () => 'exchange.credit.courts.events.v1.0',
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
  };
  const logger = { debug: () => undefined, error: () => undefined };
  const sendMessages = createSendMessages({
    logger,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    retrier: createRetry({ initialRetryTime: opts.retryMs ?? 1, retries: 3 }),
  });
  const send = (messages = [0, 0, 1, 1, 1].map((partition, i) => ({ partition, value: `m${i}` }))) =>
    sendMessages({ acks: -1, timeout: 30_000, topicMessages: [{ topic: 't', messages }] });
  return { written, logs, send };
}

const notLeaderOnFirstAttemptOf =
  (broker: number): Hook =>
  (nodeId, attempt) =>
    nodeId === broker && attempt === 1 ? Promise.reject(notLeader()) : Promise.resolve();

const timesWritten = (written: Produced[], partition: number) =>
  written.filter((w) => w.partition === partition).length;

describe('kafkajs produce retry (patched)', () => {
  it('does not write a partition again when its leader moved after it was written', async () => {
    // Partition 0 written by broker 1, which then dies: its leader becomes broker 3. Partition 1's
    // broker 2 answered "not the leader"; its leader is broker 3 too.
    const { written, send } = harness({
      leaders: { 0: 1, 1: 2 },
      afterRefresh: { 0: 3, 1: 3 },
      before: notLeaderOnFirstAttemptOf(2),
    });
    const response = await send();
    expect(timesWritten(written, 0)).toBe(1);
    expect(timesWritten(written, 1)).toBe(1);
    expect(written.find((w) => w.partition === 1)).toMatchObject({ nodeId: 3, firstSequence: 0, count: 3 });
    expect(response.map((r) => r.partition).sort()).toEqual([0, 1]);
  });

  it('writes a failed partition whose new leader already answered for another', async () => {
    const { written, send } = harness({
      leaders: { 0: 1, 1: 2 },
      afterRefresh: { 0: 1, 1: 1 },
      before: notLeaderOnFirstAttemptOf(2),
    });
    await send();
    expect(timesWritten(written, 0)).toBe(1);
    expect(written.find((w) => w.partition === 1)).toMatchObject({ nodeId: 1, firstSequence: 0, count: 3 });
  });

  it('lets a request still in flight finish before it retries the one that failed', async () => {
    // Broker 1 is slow to answer for partition 0; broker 2 fails at once.
    const { written, send } = harness({
      leaders: { 0: 1, 1: 2 },
      afterRefresh: { 0: 1, 1: 3 },
      before: async (nodeId, attempt) => {
        if (nodeId === 1) await sleep(50);
        await notLeaderOnFirstAttemptOf(2)(nodeId, attempt);
      },
    });
    await send();
    expect(timesWritten(written, 0)).toBe(1);
    expect(timesWritten(written, 1)).toBe(1);
  });

  it('runs sends one at a time, so a retry keeps the sequence numbers of what it may have written', async () => {
    // Send A is written by broker 1, which dies before answering; its retry goes to broker 3.
    // Send B, beside it, must not take A's sequence numbers: the broker would take B for a
    // duplicate of A, answer with A's offset and write nothing.
    const lost = new Error('Connection closed');
    Object.assign(lost, { name: 'KafkaJSConnectionClosedError', retriable: true });
    const { logs, send } = harness({
      leaders: { 0: 1 },
      afterRefresh: { 0: 3 },
      after: async (nodeId, attempt) => {
        await sleep(10);
        if (nodeId === 1 && attempt === 1) throw lost;
      },
      retryMs: 30,
    });
    // B starts after A's request failed and before A retries.
    const [a, b] = await Promise.all([
      send([{ partition: 0, value: 'A' }]),
      sleep(15).then(() => send([{ partition: 0, value: 'B' }])),
    ]);
    const log = logs.get(0)!.flatMap((batch) => batch.values);
    expect(log).toEqual(['A', 'B']);
    expect(a[0]).toMatchObject({ partition: 0, baseOffset: '0' });
    expect(b[0]).toMatchObject({ partition: 0, baseOffset: '1' });
  });

  it('lets sends to other partitions go on while one partition waits', async () => {
    const order: string[] = [];
    const { send } = harness({
      leaders: { 0: 1, 1: 2 },
      afterRefresh: { 0: 1, 1: 2 },
      before: async (nodeId) => {
        if (nodeId === 1) await sleep(50);
      },
    });
    await Promise.all([
      send([{ partition: 0, value: 'A' }]).then(() => order.push('A')),
      send([{ partition: 1, value: 'B' }]).then(() => order.push('B')),
    ]);
    expect(order).toEqual(['B', 'A']);
  });
});
