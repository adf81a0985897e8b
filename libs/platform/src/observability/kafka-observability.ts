import type { Consumer } from 'kafkajs';
import { cieMetrics } from './metrics.js';

/**
 * Keeps `cie_kafka_consumer_lag` for one consumer group from kafkajs' own batch events: after each
 * batch, the partition's high watermark minus the next offset to read. No extra broker requests.
 * Series of partitions the group no longer holds are removed at each rebalance.
 */
export function trackConsumerLag(consumer: Consumer, group: string): void {
  const held = new Set<string>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const labels = { group, topic: payload.topic, partition: String(payload.partition) };
    held.add(`${payload.topic}\u0000${payload.partition}`);
    cieMetrics.consumerLag.set(labels, Math.max(0, Number(payload.offsetLag)));
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = new Set(
      Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => `${topic}\u0000${p}`),
      ),
    );
    for (const key of held) {
      if (assigned.has(key)) continue;
      const [topic = '', partition = ''] = key.split('\u0000');
      cieMetrics.consumerLag.remove({ group, topic, partition });
      held.delete(key);
    }
  });
}
