import { ConfigurationError, loadConfig } from './load-config.js';
import { CommonConfig } from './common-config.js';

describe('topic settings (ensureTopics) from the environment', () => {
  it('default to a cluster’s 3 replicas and min ISR 2, and to 1 / 1 in DEMO_MODE (the single-broker stack)', () => {
    expect(loadConfig(CommonConfig, {}).topicSettings).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 2,
      retentionMs: 30 * 24 * 3_600_000,
    });
    expect(loadConfig(CommonConfig, { DEMO_MODE: '1' }).topicSettings).toMatchObject({
      replicationFactor: 1,
      minInsyncReplicas: 1,
    });
  });

  it('take what is set, the min ISR following a set replication factor', () => {
    const settings = (env: Record<string, string>) => loadConfig(CommonConfig, env).topicSettings;
    expect(settings({ DEMO_MODE: '1', KAFKA_TOPIC_REPLICATION_FACTOR: '3' })).toMatchObject({
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(settings({ KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_RETENTION_MS: '86400000' })).toEqual({
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionMs: 86_400_000,
    });
  });

  it('refuse a min ISR above the replication factor, naming the variable', () => {
    expect(() =>
      loadConfig(CommonConfig, { KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' }),
    ).toThrow(ConfigurationError);
    expect(() =>
      loadConfig(CommonConfig, { KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' }),
    ).toThrow(/KAFKA_TOPIC_MIN_INSYNC_REPLICAS must be at most the replication factor/);
  });
});

describe('database timeouts', () => {
  it('default to a 10 s lock wait and 15 s idle in a transaction', () => {
    expect(loadConfig(CommonConfig, {}).databaseTimeouts).toEqual({
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 15_000,
    });
  });
});
