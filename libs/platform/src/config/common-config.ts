import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How to reach the Kafka cluster: brokers, TLS and SASL, as read from the environment. */
export interface KafkaConnectionSettings {
  brokers: string[];
  ssl: boolean;
  /** PEM file of the CA that signed the brokers' certificates; Node's default CAs when absent. */
  sslCaFile?: string;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

// An unset variable and one set to '' (as Compose interpolates `${X:-}`) both mean "not configured".
const emptyAsUnset = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

// Implicit conversion has already made `Boolean('false')` true by now, so the raw variable is read back
// from the source object and parsed by name; anything else is left for IsBoolean to refuse.
const parseBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown => {
  const value = obj[key];
  if (value === undefined || value === '') return false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return value;
};

const saslIsConfigured = (c: CommonConfig): boolean =>
  c.KAFKA_SASL_MECHANISM !== undefined ||
  c.KAFKA_SASL_USERNAME !== undefined ||
  c.KAFKA_SASL_PASSWORD !== undefined;

/** A variable that only means something with KAFKA_SSL=true: refused otherwise, rather than ignored. */
function OnlyWithKafkaSsl(): PropertyDecorator {
  return ValidateBy({
    name: 'onlyWithKafkaSsl',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value === undefined || (args?.object as CommonConfig | undefined)?.KAFKA_SSL === true,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'this variable'} is set but KAFKA_SSL is not true`,
    },
  });
}

/** Server-side timeouts of a service's PostgreSQL sessions (postgresOptions). */
export interface DatabaseTimeouts {
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * How every topic a service creates is set up (ensureTopics). Replication left unset is decided
 * when the topic is created, from the cluster (defaultReplication), and set on the topic explicitly.
 */
export interface TopicSettings {
  replicationFactor?: number;
  minInsyncReplicas?: number;
  retentionMs: number;
}

/**
 * The replication of a topic on a cluster of `brokers` when none is configured: 3 replicas (fewer
 * brokers: one each), and `min.insync.replicas` one less, at least 1, so that one replica may be
 * lost without refusing writes: 3 / 2 on a cluster, 1 / 1 on the single-broker local stack.
 */
export function defaultReplication(
  brokers: number,
  settings: Pick<TopicSettings, 'replicationFactor' | 'minInsyncReplicas'> = {},
): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = settings.replicationFactor ?? Math.max(1, Math.min(3, brokers));
  return {
    replicationFactor,
    minInsyncReplicas: settings.minInsyncReplicas ?? Math.max(1, Math.min(2, replicationFactor - 1)),
  };
}

// DEMO_MODE is a switch people type: 1 and true turn it on, 0, false and unset leave it off. Read
// back from the source object, as parseBoolean does: implicit conversion has made 'yes' true by now.
const parseFlag = ({ obj, key }: { obj: Record<string, unknown>; key: string }): unknown => {
  const value = obj[key];
  if (value === undefined || value === '' || value === '0' || value === 'false' || value === false)
    return false;
  if (value === '1' || value === 'true' || value === true) return true;
  return value;
};

/** Settings every service has. Service configuration classes extend it. */
export class CommonConfig {
  /**
   * `1` for the demo and the tests only: allows the published demo secrets and the keys files under
   * deploy/local/, which every service refuses otherwise (they are in a public repository).
   */
  @Transform(parseFlag)
  @IsBoolean({ message: 'DEMO_MODE must be 1, true, 0 or false' })
  DEMO_MODE: boolean = false;

  /** Comma-separated `host:port` list. */
  @IsString()
  @IsNotEmpty()
  KAFKA_BROKERS = '127.0.0.1:19092';

  /** `true` to connect to the brokers over TLS (an external cluster's SSL or SASL_SSL listener). */
  @Transform(parseBoolean)
  @IsBoolean({ message: 'KAFKA_SSL must be true or false' })
  KAFKA_SSL: boolean = false;

  /** PEM file of a private CA for the brokers' certificates (with KAFKA_SSL=true). */
  @Transform(emptyAsUnset)
  @IsOptional()
  @IsString()
  @OnlyWithKafkaSsl()
  KAFKA_SSL_CA_FILE?: string;

  /** SASL mechanism: plain, scram-sha-256 or scram-sha-512; SASL is off when unset. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value !== '' ? value.toLowerCase() : emptyAsUnset({ value }),
  )
  @ValidateIf(saslIsConfigured)
  @IsIn(KAFKA_SASL_MECHANISMS, {
    message: `KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')} (needed when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set)`,
  })
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  @Transform(emptyAsUnset)
  @ValidateIf(saslIsConfigured)
  @IsNotEmpty({ message: 'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set' })
  KAFKA_SASL_USERNAME?: string;

  @Transform(emptyAsUnset)
  @ValidateIf(saslIsConfigured)
  @IsNotEmpty({ message: 'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set' })
  KAFKA_SASL_PASSWORD?: string;

  /**
   * A consumed partition with lag and no progress for this long makes `/health/ready` fail, naming
   * the partition (a batch retried for ever, a hung handler).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  KAFKA_STALL_AFTER_MS: number = 60_000;

  /**
   * How long a publish waits for Kafka's acknowledgement before the request is answered 503 (the
   * only broker gone: kafkajs alone would keep reconnecting for a minute and more). Above a broker's
   * failover time in a cluster (broker.session.timeout.ms, 9 s by default), so that losing one
   * broker of three refuses nothing.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  KAFKA_PUBLISH_TIMEOUT_MS: number = 15_000;

  /**
   * Replication factor of every topic this service creates. Unset: 3, or one per broker on a smaller
   * cluster (1 on the single-broker local stack). Production sets it (3).
   */
  @Transform(emptyAsUnset)
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  KAFKA_TOPIC_REPLICATION_FACTOR?: number;

  /**
   * `min.insync.replicas` of every topic this service creates: with acks=all, a write needs this many
   * replicas. Unset: 2 with 3 replicas, 1 with fewer. At most the replication factor.
   */
  @Transform(emptyAsUnset)
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @ValidateBy({
    name: 'atMostReplicationFactor',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const factor = (args?.object as CommonConfig | undefined)?.KAFKA_TOPIC_REPLICATION_FACTOR;
        return value === undefined || factor === undefined || (typeof value === 'number' && value <= factor);
      },
      defaultMessage: () => 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS must be at most the replication factor',
    },
  })
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS?: number;

  /**
   * `retention.ms` of every topic this service creates (30 days). Kafka is the only copy of an
   * accepted record until the exchange stores it, and of a feed event until the subscriber reads it.
   */
  @Type(() => Number)
  @IsInt()
  @Min(3_600_000)
  KAFKA_TOPIC_RETENTION_MS: number = 30 * 24 * 3_600_000;

  /**
   * PostgreSQL `lock_timeout` of the service's connections: a statement waiting longer for a lock (a
   * row, the audit advisory lock) fails and its transaction is retried, rather than queueing forever.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DB_LOCK_TIMEOUT_MS: number = 10_000;

  /**
   * PostgreSQL `idle_in_transaction_session_timeout`: the server ends a session that sits this long
   * inside a transaction (a process frozen mid-transaction), releasing the locks it holds.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: number = 15_000;

  // Explicit: environment values are strings and inferred types leave no metadata to convert by.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /**
   * Failed authentications (401) per client address per minute before that address is answered 429,
   * for 1 s, then 2 s, 4 s, … up to 15 minutes while the failures go on.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_FAILURES_PER_MINUTE: number = 20;

  /**
   * HTTP requests in progress at once (health and metrics aside) before 503 with Retry-After: past
   * it a service sheds load at once rather than queueing requests in memory until their deadline.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MAX_IN_FLIGHT_REQUESTS: number = 64;

  @IsIn(['debug', 'log', 'warn', 'error'])
  LOG_LEVEL: 'debug' | 'log' | 'warn' | 'error' = 'log';

  /** `json` for production and containers, `text` for a terminal. */
  @IsIn(['json', 'text'])
  LOG_FORMAT: 'json' | 'text' = 'json';

  /** JSON file of early pilot USCCs that fail the check character but were issued: {"codes": [...]}. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  LEGACY_USCC_FILE?: string;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  }

  /** Replication, min ISR and retention for `ensureTopics`. */
  get topicSettings(): TopicSettings {
    return {
      ...(this.KAFKA_TOPIC_REPLICATION_FACTOR !== undefined && {
        replicationFactor: this.KAFKA_TOPIC_REPLICATION_FACTOR,
      }),
      ...(this.KAFKA_TOPIC_MIN_INSYNC_REPLICAS !== undefined && {
        minInsyncReplicas: this.KAFKA_TOPIC_MIN_INSYNC_REPLICAS,
      }),
      retentionMs: this.KAFKA_TOPIC_RETENTION_MS,
    };
  }

  /** What `postgresOptions` needs: the server-side timeouts of every connection. */
  get databaseTimeouts(): DatabaseTimeouts {
    return {
      lockTimeoutMs: this.DB_LOCK_TIMEOUT_MS,
      idleInTransactionTimeoutMs: this.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    };
  }

  /** Brokers, TLS and SASL together: what `createKafka` needs to reach the cluster. */
  get kafkaConnection(): KafkaConnectionSettings {
    const {
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    } = this;
    return {
      brokers: this.kafkaBrokers,
      ssl: this.KAFKA_SSL,
      ...(this.KAFKA_SSL_CA_FILE !== undefined && { sslCaFile: this.KAFKA_SSL_CA_FILE }),
      ...(mechanism !== undefined &&
        username !== undefined &&
        password !== undefined && { sasl: { mechanism, username, password } }),
    };
  }
}
