import type { Kafka } from 'kafkajs';

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
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions ?? defaultPartitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
