import { randomUUID } from 'node:crypto';
import { CommonConfig, ensureTopics, loadConfig } from '@cie/platform';
import { ConfigResourceTypes } from 'kafkajs';
import { testKafka } from './kafka-reader.js';

const run = randomUUID().slice(0, 8);

/** The topic configuration the broker reports for `topic`, as name → value. */
async function describe_(kafka: ReturnType<typeof testKafka>, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return {
      configs: new Map(resources[0]!.configEntries.map((e) => [e.configName, e])),
      replicas: topics[0]!.partitions.map((p) => p.replicas.length),
    };
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics on a real broker', () => {
  const kafka = testKafka(`ensure-topics-it-${run}`);

  it('creates topics with the replication, min.insync.replicas and retention of the settings, not the broker defaults', async () => {
    const topic = `it.ensure-topics.${run}.v1`;
    // The single-broker test stack, replication not configured: one replica, min ISR 1.
    const settings = loadConfig(CommonConfig, { KAFKA_TOPIC_RETENTION_MS: '1209600000' }).topicSettings;
    await ensureTopics(kafka, [{ topic, numPartitions: 2 }], settings);

    const { configs, replicas } = await describe_(kafka, topic);
    expect(replicas).toEqual([1, 1]);
    for (const [name, value] of [
      ['min.insync.replicas', '1'],
      ['retention.ms', '1209600000'],
      ['unclean.leader.election.enable', 'false'],
      ['cleanup.policy', 'delete'],
    ]) {
      const entry = configs.get(name);
      expect({ name, value: entry?.configValue }).toEqual({ name, value });
      // Set on the topic itself, not inherited from the broker.
      expect({ name, isDefault: entry?.isDefault }).toEqual({ name, isDefault: false });
    }
  });

  it('creates with the replication configured, and a single broker refuses 3 replicas, naming the variable', async () => {
    const settings = loadConfig(CommonConfig, { KAFKA_TOPIC_REPLICATION_FACTOR: '3' }).topicSettings;
    await expect(
      ensureTopics(kafka, [{ topic: `it.ensure-topics.${run}.cluster.v1` }], settings),
    ).rejects.toThrow(/replication factor 3 and min.insync.replicas 2 \(KAFKA_TOPIC_REPLICATION_FACTOR/);
  });
});
