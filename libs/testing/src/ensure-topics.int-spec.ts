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
    // The single-broker local stack: DEMO_MODE, nothing else set.
    const settings = loadConfig(CommonConfig, {
      DEMO_MODE: '1',
      KAFKA_TOPIC_RETENTION_MS: '1209600000',
    }).topicSettings;
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

  it('creates with 3 replicas and min ISR 2 by default outside DEMO_MODE: a single broker refuses that, clearly', async () => {
    const settings = loadConfig(CommonConfig, {}).topicSettings;
    expect(settings).toEqual({ replicationFactor: 3, minInsyncReplicas: 2, retentionMs: 2_592_000_000 });
    await expect(
      ensureTopics(kafka, [{ topic: `it.ensure-topics.${run}.cluster.v1` }], settings),
    ).rejects.toThrow(/replication factor/i);
  });
});
