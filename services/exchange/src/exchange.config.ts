import { Type } from 'class-transformer';
import {
  Equals,
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CommonConfig, isDemoMode, loadConfig, NotDemoFile, NotPublishedDemoSecret } from '@cie/platform';
import { DEFAULT_CATALOGUE_FILE } from './catalogue/catalogue.loader.js';
import { DEFAULT_LISTS_FILE, DEFAULT_MEMORANDA_FILE } from './measures/measures.loader.js';
import { DEFAULT_RELEASE_RULES_FILE } from './routing/release-rules.loader.js';
import type { PiiKey } from './identity/subject-identity.service.js';

const DEMO_INSTANCE_ID = 'exchange-0';

/** Environment of the exchange; see the README for each variable. */
export class ExchangeConfig extends CommonConfig {
  override PORT: number = 3000;

  /** postgres://user:password@host:port/database */
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cie';

  /** Secret for natural persons' pseudonyms (HMAC-SHA256). Changing it changes every pseudonym. */
  @IsString()
  @MinLength(32, { message: 'PSEUDONYM_SECRET must be at least 32 characters' })
  @NotPublishedDemoSecret()
  PSEUDONYM_SECRET!: string;

  /** Base64 of 32 random bytes: the AES-256-GCM key for identity numbers at rest. */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'PII_ENCRYPTION_KEY must be the base64 of 32 bytes' })
  @NotPublishedDemoSecret()
  PII_ENCRYPTION_KEY!: string;

  /** The id stored with every ciphertext sealed under PII_ENCRYPTION_KEY (see "Rotating the personal-data key"). */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'PII_ENCRYPTION_KEY_ID must be 1-64 of A-Z a-z 0-9 . _ -' })
  PII_ENCRYPTION_KEY_ID = 'k1';

  /**
   * Earlier personal-data keys that still open what they sealed until `npm run pii:rotate` re-seals
   * it: comma-separated `id:base64` pairs, e.g. `k1:BASE64,k0:BASE64`. Empty when there is one key.
   */
  @Matches(/^$|^[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9._-]{1,64}:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'PII_PREVIOUS_KEYS must be comma-separated id:base64-of-32-bytes pairs',
  })
  PII_PREVIOUS_KEYS = '';

  /** The personal-data keys, the current one first. */
  get piiKeys(): PiiKey[] {
    const previous = this.PII_PREVIOUS_KEYS.split(',')
      .filter((pair) => pair !== '')
      .map((pair) => {
        const [id, key] = pair.split(':') as [string, string];
        return { id, key: Buffer.from(key, 'base64') };
      });
    return [
      { id: this.PII_ENCRYPTION_KEY_ID, key: Buffer.from(this.PII_ENCRYPTION_KEY, 'base64') },
      ...previous,
    ];
  }

  /** JSON file of the subscribers and their entitlements. */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  SUBSCRIBERS_FILE = 'deploy/local/subscribers.demo.json';

  /** JSON file of the sectors' release rules (which subscribers may receive which kinds at which levels). */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  RELEASE_RULES_FILE: string = DEFAULT_RELEASE_RULES_FILE;

  /** JSON file of the API's clients (operators, subscribers) with their key hashes. */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  CLIENTS_FILE: string = 'deploy/local/exchange-clients.demo.json';

  /** JSON file of the subscribers' Ed25519 public keys that sign their deletion acks: {"keys": [{"id", "publicKey"}]}. */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  FEED_ACK_KEYS_FILE: string = 'deploy/local/feed-ack-keys.demo.json';

  /** The catalogue of record kinds (JSON, validated at start); the shipped one by default. */
  @IsString()
  @IsNotEmpty()
  CATALOGUE_FILE: string = DEFAULT_CATALOGUE_FILE;

  /** List types (black, red, watch) with their entry criteria (JSON, validated at start against the catalogue). */
  @IsString()
  @IsNotEmpty()
  LISTS_FILE: string = DEFAULT_LISTS_FILE;

  /** Memoranda of joint rewards and punishments and their measures (JSON, validated at start). */
  @IsString()
  @IsNotEmpty()
  MEMORANDA_FILE: string = DEFAULT_MEMORANDA_FILE;

  /**
   * PKCS#8 PEM file of the Ed25519 key that signs check receipts and credit reports; its public key
   * is published at GET /v1/signing-key. The demo key (and any copy of it) needs DEMO_MODE=1.
   */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  CHECK_SIGNING_KEY_FILE: string = 'deploy/local/check-signing-key.demo.pem';

  /**
   * A source (a sector's event topic) whose last event the exchange processed is older than this is
   * stale: a check that finds nothing is then `indeterminate`, never `clear`.
   */
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.01)
  @Max(8760)
  CHECK_STALE_AFTER_HOURS: number = 24;

  @IsString()
  @IsNotEmpty()
  KAFKA_CONSUMER_GROUP = 'exchange';

  /**
   * Stable per instance: who acted in the audit log, and the prefix of the ids this instance makes.
   * Set explicitly (two instances sharing a default would be told apart by nothing); DEMO_MODE=1
   * defaults it. Fencing does not depend on it: each partition's transactional id is named after the
   * group and the partition (PartitionTransactions).
   */
  @IsDefined({
    message: `EXCHANGE_INSTANCE_ID must be set: this instance's stable name in the audit log, e.g. its pod name (DEMO_MODE=1 defaults it to ${DEMO_INSTANCE_ID})`,
  })
  @Matches(/^[a-z0-9-]+$/, { message: 'EXCHANGE_INSTANCE_ID must be lower-case letters, digits and hyphens' })
  EXCHANGE_INSTANCE_ID!: string;

  @Type(() => Number)
  @IsInt()
  @Min(6000)
  @Max(300000)
  KAFKA_SESSION_TIMEOUT_MS: number = 30000;

  /**
   * Bytes fetched per partition and per fetch request. kafkajs' defaults (1 MB / 10 MB) hold up to
   * 10 MB of undecoded batches per fetch, decoded into far more: most of the exchange's memory at load.
   */
  @Type(() => Number)
  @IsInt()
  @Min(16_384)
  @Max(10_485_760)
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: number = 262_144;

  @Type(() => Number)
  @IsInt()
  @Min(65_536)
  @Max(52_428_800)
  KAFKA_FETCH_MAX_BYTES: number = 2_097_152;

  /**
   * A fetch waits until this many bytes are there, or KAFKA_FETCH_MAX_WAIT_MS has passed. Every batch
   * costs one PostgreSQL and one Kafka transaction whatever its size, so at a steady rate a fetch
   * that returns the first byte makes many small batches whose fixed cost takes the machine; waiting
   * a little makes fewer, larger ones. 1 (kafkajs' default) returns at once.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_485_760)
  KAFKA_FETCH_MIN_BYTES: number = 1;

  /** The longest a fetch waits for KAFKA_FETCH_MIN_BYTES (kafkajs' default: 5000). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(5000)
  KAFKA_FETCH_MAX_WAIT_MS: number = 5000;

  /**
   * Partitions whose batches are stored side by side, each in its own PostgreSQL transaction and
   * committed by its own fenced producer (PartitionTransactions), so that Node, PostgreSQL and the
   * broker work at the same time instead of taking turns. 1 processes one batch at a time. Keep it
   * below the database pool (10).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8)
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: number = 4;

  /**
   * Fault injection for the zombie test (issue 13, fault 5), with DEMO_MODE=1 only: 1 makes the
   * process stop itself (SIGSTOP) once, after it stored a batch with outputs and before the batch's
   * Kafka transaction, as a process paused by the machine would. 0 (the default) never.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1)
  @ValidateIf((config: { DEMO_MODE?: boolean }) => config.DEMO_MODE !== true)
  @Equals(0, { message: 'FAULT_STOP_AFTER_STORE is fault injection for the tests: it needs DEMO_MODE=1' })
  FAULT_STOP_AFTER_STORE: number = 0;

  /** Working days an owning agency has to resolve a dispute (DESIGN §8). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  DISPUTE_WORKING_DAYS: number = 5;

  /** JSON file of the public holidays that are not working days: {"holidays": ["2026-10-01", …]}. */
  @IsString()
  @IsNotEmpty()
  HOLIDAYS_FILE = 'deploy/local/holidays.demo.json';

  /** How often SUBSCRIBERS_FILE and RELEASE_RULES_FILE are checked for changes (reloaded without a restart). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  POLICY_WATCH_INTERVAL_MS: number = 5_000;

  /** How often the expiry scheduler looks for records whose disclosure period ended. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  EXPIRY_SCAN_INTERVAL_MS: number = 60_000;
}

/** PII_ENCRYPTION_KEY (current, with its id) and then PII_PREVIOUS_KEYS, as SubjectIdentityService takes them. */
export function piiKeysOf(config: {
  PII_ENCRYPTION_KEY: string;
  PII_ENCRYPTION_KEY_ID: string;
  PII_PREVIOUS_KEYS: string;
}): PiiKey[] {
  const previous = config.PII_PREVIOUS_KEYS.split(',')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [id, key] = pair.split(':') as [string, string];
      return { id, key: Buffer.from(key, 'base64') };
    });
  return [
    { id: config.PII_ENCRYPTION_KEY_ID, key: Buffer.from(config.PII_ENCRYPTION_KEY, 'base64') },
    ...previous,
  ];
}

/** The exchange's configuration from the environment; only DEMO_MODE=1 may leave EXCHANGE_INSTANCE_ID unset. */
export function loadExchangeConfig(env: Record<string, string | undefined>): ExchangeConfig {
  return loadConfig(
    ExchangeConfig,
    isDemoMode(env) ? { EXCHANGE_INSTANCE_ID: DEMO_INSTANCE_ID, ...env } : env,
  );
}
