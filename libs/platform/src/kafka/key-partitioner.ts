import { Partitioners } from 'kafkajs';

/**
 * Chooses the partition of a key the way the Java client does (murmur2, kafkajs's default
 * partitioner), so a batch's per-partition offsets can be computed from the broker's answer.
 */
export class KeyPartitioner {
  private readonly choose = Partitioners.DefaultPartitioner();

  constructor(private readonly partitions: number) {}

  partition(key: string): number {
    return this.choose({
      topic: '',
      partitionMetadata: Array.from({ length: this.partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        partitionErrorCode: 0,
      })),
      message: { key, value: null },
    });
  }
}
