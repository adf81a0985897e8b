import type { Admin, Kafka } from 'kafkajs';
import { defaultReplication, type TopicSettings } from '../config/common-config.js';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
}

/**
 * The broker configuration every topic is created with: explicit, not the broker's defaults, since
 * Kafka is the only copy of an accepted record until the exchange stores it.
 */
export function topicConfigEntries(
  settings: TopicSettings & { minInsyncReplicas: number },
): { name: string; value: string }[] {
  return [
    { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
    { name: 'retention.ms', value: String(settings.retentionMs) },
    { name: 'unclean.leader.election.enable', value: 'false' },
    { name: 'cleanup.policy', value: 'delete' },
  ];
}

/**
 * Creates the topics that do not exist yet, with `settings` (replication, min ISR, retention), and
 * waits for their leaders. Topics that exist are left as they are.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: TopicSpec[],
  settings: TopicSettings,
  defaultPartitions = 3,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      const replication =
        settings.replicationFactor !== undefined && settings.minInsyncReplicas !== undefined
          ? defaultReplication(0, settings)
          : defaultReplication((await admin.describeCluster()).brokers.length, settings);
      const configEntries = topicConfigEntries({ ...settings, ...replication });
      // Not kafkajs' own waitForLeaders: it gives up on "unknown topic" when another service creates
      // topics at the same moment; waitForLeaders below retries until every partition has a leader.
      await admin
        .createTopics({
          waitForLeaders: false,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.numPartitions ?? defaultPartitions,
            replicationFactor: replication.replicationFactor,
            configEntries,
          })),
        })
        .catch((error: unknown) => {
          // Another service creating some of them at the same moment is fine; anything else is not.
          const refusals = topicErrors(error).filter((e) => e.type !== 'TOPIC_ALREADY_EXISTS');
          if (refusals.length === 0 && topicErrors(error).length > 0) return;
          const details = refusals.length
            ? refusals.map((e) => `${e.topic}: ${e.message}`).join('; ')
            : error instanceof Error
              ? error.message
              : String(error);
          throw new Error(
            `cannot create topics with replication factor ${replication.replicationFactor} and min.insync.replicas ${replication.minInsyncReplicas} (KAFKA_TOPIC_REPLICATION_FACTOR, KAFKA_TOPIC_MIN_INSYNC_REPLICAS): ${details}`,
            { cause: error },
          );
        });
    }
    // Another service may have just created some of them: wait until every partition has a leader.
    await waitForLeaders(
      admin,
      topics.map((t) => t.topic),
    );
  } finally {
    await admin.disconnect();
  }
}

/** The per-topic errors of a CreateTopics refusal (kafkajs' aggregate error), else none. */
function topicErrors(error: unknown): { type?: string; topic?: string; message: string }[] {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? (errors as { type?: string; topic?: string; message: string }[]) : [];
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * How many partitions a topic has (an EventPublisher's partitioner must agree with the broker). Retried
 * for a while: right after topics are created, a broker may not yet know them all (another service
 * starting at the same time may have created them a moment ago).
 */
export async function partitionCount(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const count = topics[0]?.partitions.length;
        if (count) return count;
        if (Date.now() > deadline) throw new Error(`topic ${topic} has no partitions`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
