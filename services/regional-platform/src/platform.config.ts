import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig, NotDemoFile } from '@cie/platform';

/** Environment of one regional platform instance; see services/regional-platform/README.md. */
export class RegionalPlatformConfig extends CommonConfig {
  override PORT: number = 3010;

  /** The subscriber this platform is, as the exchange names it: its feed is credit.feed.<id>.v1. */
  @Matches(/^[a-z0-9][a-z0-9-]*$/, {
    message: 'SUBSCRIBER_ID must be lower-case letters, digits and hyphens, e.g. beijing-platform',
  })
  SUBSCRIBER_ID!: string;

  /**
   * JSON file of Ed25519 private keys by subscriber id ({"keys": [{"id", "privateKey"}]}): the entry
   * for SUBSCRIBER_ID signs this platform's deletion acks. The exchange holds the public half.
   */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  FEED_ACK_SIGNING_KEYS_FILE: string = 'deploy/local/feed-ack-signing-keys.demo.json';

  /** JSON file of who may read this platform's records, with their key hashes (see deploy/local). */
  @IsString()
  @IsNotEmpty()
  @NotDemoFile()
  PLATFORM_CLIENTS_FILE: string = 'deploy/local/platform-clients.demo.json';

  /** postgres://user:password@host:port/database */
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cie';

  /**
   * The schema this instance owns (so two platforms can share one database); by default
   * `platform_<subscriber id with underscores>`, e.g. platform_beijing_platform.
   */
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, {
    message: 'DB_SCHEMA must be a lower-case PostgreSQL identifier (letters, digits, underscores)',
  })
  DB_SCHEMA?: string;

  /** Consumer group of the feed; by default regional-platform.<subscriber id>. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  KAFKA_CONSUMER_GROUP?: string;

  @Type(() => Number)
  @IsInt()
  @Min(6000)
  @Max(300000)
  KAFKA_SESSION_TIMEOUT_MS: number = 30000;

  get schema(): string {
    return this.DB_SCHEMA ?? defaultSchema(this.SUBSCRIBER_ID);
  }

  get consumerGroup(): string {
    return this.KAFKA_CONSUMER_GROUP ?? `regional-platform.${this.SUBSCRIBER_ID}`;
  }
}

export function defaultSchema(subscriberId: string): string {
  return `platform_${subscriberId.replace(/-/g, '_')}`.slice(0, 63);
}
