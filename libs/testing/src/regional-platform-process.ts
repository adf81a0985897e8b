import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashBearerKeyScrypt, publicKeyText, signingKeysFileOf } from '@cie/platform';
import { REPO_ROOT, ServiceProcess } from './service-process.js';

const MAIN = `${REPO_ROOT}services/regional-platform/dist/main.js`;

export interface RegionalPlatformOptions {
  /** The subscriber it consumes the feed of, e.g. `beijing-platform` (credit.feed.beijing-platform.v1). */
  subscriberId: string;
  /** Bootstrap brokers; KAFKA_BROKERS of the test by default. */
  kafkaBrokers?: string | string[];
  /** DATABASE_URL of the test by default. */
  databaseUrl?: string;
  port: number;
  /** Default `platform_<subscriber id with underscores>`. Two platforms may share a database, not a schema. */
  schema?: string;
  /** Default `regional-platform.<subscriber id>`. */
  consumerGroup?: string;
  /** The Ed25519 key it signs its deletion acks with; a fresh one by default (see `ackPublicKey`). */
  ackSigningKey?: KeyObject;
  /** More environment (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
}

export interface RegionalPlatform {
  /** e.g. http://127.0.0.1:3010 (GET /v1/records?subject=, GET /v1/records/{id}, /health/ready). */
  url: string;
  pid: number;
  /** A key of a reader of this platform's records (written to its PLATFORM_CLIENTS_FILE). */
  readerKey: string;
  /** `Authorization: Bearer <readerKey>`, for fetch. */
  auth: { authorization: string };
  /** A key of a reader of another platform, from the same file: 403 here. */
  foreignReaderKey: string;
  /** Base64 SPKI of the key its acks are signed with, for an exchange's FEED_ACK_KEYS_FILE. */
  ackPublicKey: string;
  /** Everything the process printed so far (JSON log lines). */
  output: string[];
  /** SIGTERM: drains the batch in flight and commits, then exits. */
  stop(): Promise<void>;
  /** SIGKILL: dies mid-whatever, as a crash would. */
  kill(): Promise<void>;
}

/**
 * Starts the built reference subscriber (services/regional-platform/dist/main.js; build it first, e.g.
 * `npx nx run @cie/regional-platform:build`) as a child process and resolves once /health/ready says
 * its database is migrated and its consumer has joined its group. Starting it again with the same
 * options resumes from its committed offsets, on the same schema.
 */
export async function startRegionalPlatform(options: RegionalPlatformOptions): Promise<RegionalPlatform> {
  if (!existsSync(MAIN))
    throw new Error(
      `${MAIN} does not exist: build it first with \`npx nx run @cie/regional-platform:build\``,
    );
  const brokers = options.kafkaBrokers ?? process.env['KAFKA_BROKERS'];
  const databaseUrl = options.databaseUrl ?? process.env['DATABASE_URL'];
  if (!brokers || !databaseUrl)
    throw new Error(
      'startRegionalPlatform needs kafkaBrokers and databaseUrl (or KAFKA_BROKERS and DATABASE_URL)',
    );
  const readers = writeReaderKeys(options.subscriberId);
  const ackKey = options.ackSigningKey ?? generateKeyPairSync('ed25519').privateKey;
  const ackKeysFile = path.join(
    mkdtempSync(path.join(tmpdir(), 'cie-platform-')),
    'feed-ack-signing-keys.json',
  );
  writeFileSync(ackKeysFile, signingKeysFileOf(options.subscriberId, ackKey), { mode: 0o600 });
  const env: Record<string, string> = {
    // Fresh keys, not the demo ones: the platform starts as in production, without DEMO_MODE.
    PLATFORM_CLIENTS_FILE: readers.file,
    FEED_ACK_SIGNING_KEYS_FILE: ackKeysFile,
    SUBSCRIBER_ID: options.subscriberId,
    KAFKA_BROKERS: Array.isArray(brokers) ? brokers.join(',') : brokers,
    DATABASE_URL: databaseUrl,
    PORT: String(options.port),
    // Short, so that a restarted platform gets its partitions back soon after a kill -9.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_FORMAT: 'json',
    ...(options.schema ? { DB_SCHEMA: options.schema } : {}),
    ...(options.consumerGroup ? { KAFKA_CONSUMER_GROUP: options.consumerGroup } : {}),
    ...options.env,
  };
  const service = new ServiceProcess(MAIN, env);
  await service.start();
  return {
    url: service.url,
    pid: service.pid,
    readerKey: readers.readerKey,
    auth: { authorization: `Bearer ${readers.readerKey}` },
    foreignReaderKey: readers.foreignReaderKey,
    ackPublicKey: publicKeyText(ackKey),
    output: service.output,
    stop: async () => void (await service.stop()),
    kill: async () => void (await service.stop('SIGKILL')),
  };
}

/** A keys file with one reader of `subscriberId` and one of another platform, and their keys. */
function writeReaderKeys(subscriberId: string): {
  file: string;
  readerKey: string;
  foreignReaderKey: string;
} {
  const readerKey = randomBytes(24).toString('base64url');
  const foreignReaderKey = randomBytes(24).toString('base64url');
  // Salted as a real file is; a lower cost than the default keeps test start-up quick.
  const hash = (key: string) => hashBearerKeyScrypt(key, { cost: { N: 4096, r: 8, p: 1 } });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-platform-')), 'platform-clients.json');
  const clients = [
    { clientId: 'test-reader', subscriberId, keyScrypt: hash(readerKey) },
    { clientId: 'foreign-reader', subscriberId: `not-${subscriberId}`, keyScrypt: hash(foreignReaderKey) },
  ];
  writeFileSync(file, JSON.stringify({ clients }), { mode: 0o600 });
  return { file, readerKey, foreignReaderKey };
}
