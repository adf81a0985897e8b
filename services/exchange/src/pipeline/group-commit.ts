import type { Offsets, Producer } from 'kafkajs';
import type { OutboundMessage } from '../outbound.js';
import { byTopic, chunksBySize, MAX_REQUEST_BYTES } from './outbox.js';

/** One slice's part of a Kafka transaction: its outputs and the offsets that commit its messages. */
export interface SliceCommit {
  outbound: OutboundMessage[];
  offsets: Offsets & { consumerGroupId: string };
  topic: string;
  partition: number;
  nextOffset: string;
}

interface Waiting extends SliceCommit {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit of the slices of several partitions, handled concurrently, into one Kafka
 * transaction: each slice's outputs and offsets still commit atomically (together with the others'),
 * so exactly-once holds, while the broker's transaction coordinator, which takes a while after each
 * commit before it accepts the next transaction (CONCURRENT_TRANSACTIONS), commits once for all.
 * One transaction is open at a time (a transactional producer allows no more); the slices that come
 * in while it runs go in the next. If a transaction fails, every slice in it fails and is retried.
 */
export class GroupCommit {
  private readonly waiting: Waiting[] = [];
  private running = false;

  /**
   * `afterCommit` runs once per committed transaction with all of its slices, before they resolve
   * (the database's copy of the progress). Its failure fails no slice: their outputs are published,
   * and retrying them would publish them again.
   */
  constructor(
    private readonly producer: Producer,
    private readonly afterCommit: (group: readonly SliceCommit[]) => Promise<void>,
    private readonly onAfterCommitError: (error: unknown) => void,
  ) {}

  commit(slice: SliceCommit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ ...slice, resolve, reject });
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0);
        try {
          await this.transaction(group);
        } catch (error) {
          for (const w of group) w.reject(error);
          continue;
        }
        try {
          await this.afterCommit(group);
        } catch (error) {
          this.onAfterCommitError(error);
        }
        for (const w of group) w.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  private async transaction(group: readonly SliceCommit[]): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      // In requests under the broker's 1 MB limit: one batch's outputs can be far larger.
      for (const chunk of chunksBySize(
        group.flatMap((g) => g.outbound),
        MAX_REQUEST_BYTES,
      ))
        await transaction.sendBatch({ topicMessages: byTopic(chunk) });
      const [first] = group;
      if (first)
        await transaction.sendOffsets({
          consumerGroupId: first.offsets.consumerGroupId,
          topics: mergeByTopic(group.flatMap((g) => g.offsets.topics)),
        });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }
}

/** One entry per topic, with all of its partitions. */
function mergeByTopic(topics: Offsets['topics']): Offsets['topics'] {
  const merged = new Map<string, Offsets['topics'][number]['partitions']>();
  for (const { topic, partitions } of topics)
    merged.set(topic, [...(merged.get(topic) ?? []), ...partitions]);
  return [...merged].map(([topic, partitions]) => ({ topic, partitions }));
}
