import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
}

/** Creates the topics that do not exist yet and waits for their leaders. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], defaultPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      // Not kafkajs' own waitForLeaders: it gives up on "unknown topic" when another service creates
      // topics at the same moment; waitForLeaders below retries until every partition has a leader.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions ?? defaultPartitions })),
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
