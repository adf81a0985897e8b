import { createRequire } from 'node:module';
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

/**
 * A cluster of brokers 1-3 with topic `t`'s partitions led by `leaders`, which become `afterRefresh`
 * once the producer refreshes its metadata (a leader killed). `answer(nodeId, attempt)` decides each
 * produce request: resolve, or throw.
 */
function harness(opts: {
  leaders: Record<number, number>;
  afterRefresh: Record<number, number>;
  answer: (nodeId: number, attempt: number) => Promise<void>;
}) {
  let leaders = opts.leaders;
  const written: Produced[] = [];
  const attempts = new Map<number, number>();
  const sequences = new Map<string, number>();
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({
      topicData,
    }: {
      topicData: {
        topic: string;
        partitions: { partition: number; firstSequence: number; messages: unknown[] }[];
      }[];
    }) => {
      const attempt = (attempts.get(nodeId) ?? 0) + 1;
      attempts.set(nodeId, attempt);
      await opts.answer(nodeId, attempt);
      for (const { partitions } of topicData)
        for (const p of partitions)
          written.push({
            nodeId,
            partition: p.partition,
            firstSequence: p.firstSequence,
            count: p.messages.length,
          });
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
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
  const send = createSendMessages({
    logger,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    retrier: createRetry({ initialRetryTime: 1, retries: 3 }),
  });
  const messages = [0, 0, 1, 1, 1].map((partition, i) => ({ partition, value: `m${i}` }));
  return {
    written,
    send: () => send({ acks: -1, timeout: 30_000, topicMessages: [{ topic: 't', messages }] }),
  };
}

const timesWritten = (written: Produced[], partition: number) =>
  written.filter((w) => w.partition === partition).length;

describe('kafkajs produce retry (patched)', () => {
  it('does not write a partition again when its leader moved after it was written', async () => {
    // Partition 0 written by broker 1, which then dies: its leader becomes broker 3. Partition 1's
    // broker 2 answered "not the leader"; its leader is broker 3 too.
    const { written, send } = harness({
      leaders: { 0: 1, 1: 2 },
      afterRefresh: { 0: 3, 1: 3 },
      answer: (nodeId, attempt) =>
        nodeId === 2 && attempt === 1 ? Promise.reject(notLeader()) : Promise.resolve(),
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
      answer: (nodeId, attempt) =>
        nodeId === 2 && attempt === 1 ? Promise.reject(notLeader()) : Promise.resolve(),
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
      answer: async (nodeId, attempt) => {
        if (nodeId === 1) await new Promise((resolve) => setTimeout(resolve, 50));
        if (nodeId === 2 && attempt === 1) throw notLeader();
      },
    });
    await send();
    expect(timesWritten(written, 0)).toBe(1);
    expect(timesWritten(written, 1)).toBe(1);
  });
});
