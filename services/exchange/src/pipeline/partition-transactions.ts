import { chunksBySize, isProducerFenced, MAX_REQUEST_BYTES, RetryInPlaceError } from '@cie/platform';
import type { Admin, Kafka, Offsets, Producer } from 'kafkajs';
import type { OutboundMessage } from '../outbound.js';
import { byTopic } from './outbox.js';

/** One slice's Kafka transaction: its outputs and the offsets that commit its messages. */
export interface SliceCommit {
  outbound: OutboundMessage[];
  offsets: Offsets & { consumerGroupId: string };
  topic: string;
  partition: number;
  nextOffset: string;
}

/** A partition held since its last claim: what a batch processed under that claim commits with. */
export interface Claim {
  readonly key: string;
  producer: Producer;
  /** Set by a rebalance: the partition is fenced again before its next batch. */
  stale: boolean;
}

/**
 * Exactly-once across a rebalance, with a zombie about: one transactional producer per consumed
 * partition, its transactional id named after the partition and the group (`<group>.<topic>.<partition>`),
 * so the same in every instance. The instance that takes a partition over initialises that id
 * (`claim`), which makes the broker abort the transaction a previous owner left open and fence that
 * owner: a process frozen past its session and then thawed can no longer commit outputs or offsets on
 * the partition (kafkajs' TxnOffsetCommit carries no consumer generation, KIP-447, so offsets alone
 * are not fenced). After the fence the group's committed offset is read again (`onClaimed`), so what
 * the previous owner did commit before it was fenced is not processed twice.
 *
 * A partition's batches come one after another, and each partition has its own producer: one
 * transaction per batch, and partitions consumed concurrently commit side by side.
 */
export class PartitionTransactions {
  private readonly owned = new Map<string, Claim>();
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    /** The group's committed offset of a partition just claimed ('-1' when none). */
    private readonly onClaimed: (topic: string, partition: number, committed: string) => Promise<void>,
    private readonly retry = { initialRetryTime: 25, retries: 12 },
  ) {}

  static transactionalId(groupId: string, topic: string, partition: number): string {
    return `${groupId}.${topic}.${partition}`;
  }

  async connect(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  async disconnect(): Promise<void> {
    const producers = [...this.owned.values()].map((o) => o.producer);
    this.owned.clear();
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await this.admin?.disconnect();
  }

  /** A rebalance: every partition is claimed (fenced, its offset read) again before its next batch. */
  rebalanced(): void {
    for (const o of this.owned.values()) o.stale = true;
  }

  /**
   * Makes this instance the only one able to commit on the partition, before a batch of it is
   * processed (the held claim while it holds the partition since its last claim). The batch commits
   * with this claim: outputs worked out before a later claim must not be committed after it.
   */
  async claim(topic: string, partition: number): Promise<Claim> {
    const k = `${topic}[${partition}]`;
    const held = this.owned.get(k);
    if (held && !held.stale) return held;
    this.owned.delete(k);
    await held?.producer.disconnect().catch(() => undefined);
    const producer = this.kafka.producer({
      transactionalId: PartitionTransactions.transactionalId(this.groupId, topic, partition),
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // A transaction begun just after a commit gets CONCURRENT_TRANSACTIONS until the coordinator has
      // written its markers (a few ms); retried after kafkajs' 200 ms that wait paced every batch.
      // About the same patience in all (~100 s), in shorter first steps.
      retry: this.retry,
    });
    // Each step named in the error (its cause keeps the classification: transient or not).
    let doing = 'connecting its transactional producer';
    try {
      await producer.connect();
      // The first transaction initialises the transactional id: this is the fence. It is empty, so
      // aborting it sends nothing.
      doing = 'initialising its transactional id (the fence)';
      await (await producer.transaction()).abort();
      doing = "reading the group's committed offset";
      const [offsets] = await this.requireAdmin().fetchOffsets({ groupId: this.groupId, topics: [topic] });
      const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      doing = 'bringing consumer_progress up to the committed offset';
      await this.onClaimed(topic, partition, committed);
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw new Error(`claiming ${k}: ${doing}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const claim: Claim = { key: k, producer, stale: false };
    this.owned.set(k, claim);
    return claim;
  }

  /**
   * The slice's outputs and offsets in one transaction of the producer of the claim they were worked
   * out under. A failure (fenced, or anything else) drops the producer: the next attempt claims the
   * partition again, and works the batch out again after that claim.
   */
  async commit(claim: Claim, slice: SliceCommit): Promise<void> {
    const k = claim.key;
    // Claimed again since (a rebalance, a failed commit): what the partition holds may have moved on.
    if (this.owned.get(k) !== claim)
      throw new RetryInPlaceError(
        `${k}: claimed again since this batch was processed; it is processed again`,
      );
    const { producer } = claim;
    const transaction = await producer.transaction();
    try {
      // In requests under the broker's 1 MB limit: one batch's outputs can be far larger.
      for (const chunk of chunksBySize(slice.outbound, MAX_REQUEST_BYTES))
        await transaction.sendBatch({ topicMessages: byTopic(chunk) });
      await transaction.sendOffsets(slice.offsets);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      this.owned.delete(k);
      await producer.disconnect().catch(() => undefined);
      // Fenced by a newer claim of this partition (ours after a rebalance, or another instance's):
      // the retry claims it again, after the heartbeat has told a member that left the group to rejoin.
      if (isProducerFenced(error))
        throw new RetryInPlaceError(`${k}: transactional producer fenced, the partition is claimed again`, {
          cause: error,
        });
      throw error;
    }
  }

  private requireAdmin(): Admin {
    if (!this.admin) throw new Error('PartitionTransactions.connect() was not called');
    return this.admin;
  }
}
