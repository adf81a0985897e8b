import { ConsumerRunner, type RefusingSlice } from '@cie/platform';
import type { Kafka } from 'kafkajs';

/** The runner of a sector-kit consumer: one topic, group and metric name `<sector>-<role>`, the runner commits. */
export function sectorRunner(
  kafka: Kafka,
  groupId: string,
  topic: string,
  stallAfterMs: number,
  handle: (slice: RefusingSlice) => Promise<void>,
): ConsumerRunner {
  return new ConsumerRunner({
    name: groupId,
    kafka,
    groupId,
    topics: [topic],
    stallAfterMs,
    commits: 'runner',
    handle,
  });
}
