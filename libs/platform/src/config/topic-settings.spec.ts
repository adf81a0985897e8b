import { ConfigurationError, loadConfig } from './load-config.js';
import { CommonConfig, defaultReplication } from './common-config.js';

describe('topic settings (ensureTopics) from the environment', () => {
  it('leave replication to the cluster when unset, with a 30-day retention', () => {
    expect(loadConfig(CommonConfig, {}).topicSettings).toEqual({ retentionMs: 30 * 24 * 3_600_000 });
  });

  it('take what is set', () => {
    const settings = (env: Record<string, string>) => loadConfig(CommonConfig, env).topicSettings;
    expect(
      settings({
        KAFKA_TOPIC_REPLICATION_FACTOR: '3',
        KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
        KAFKA_TOPIC_RETENTION_MS: '86400000',
      }),
    ).toEqual({ replicationFactor: 3, minInsyncReplicas: 2, retentionMs: 86_400_000 });
  });

  it('refuse a min ISR above the replication factor, naming the variable', () => {
    const env = { KAFKA_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' };
    expect(() => loadConfig(CommonConfig, env)).toThrow(ConfigurationError);
    expect(() => loadConfig(CommonConfig, env)).toThrow(
      /KAFKA_TOPIC_MIN_INSYNC_REPLICAS must be at most the replication factor/,
    );
  });
});

describe('defaultReplication', () => {
  it('is 3 / 2 on a cluster of three or more, and one replica per broker below, min ISR one less', () => {
    expect(defaultReplication(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(defaultReplication(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(defaultReplication(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 1 });
    expect(defaultReplication(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it('keeps what is configured, the min ISR following a configured factor', () => {
    expect(defaultReplication(1, { replicationFactor: 3 })).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(defaultReplication(3, { minInsyncReplicas: 3 })).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 3,
    });
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
