import { fileURLToPath } from 'node:url';
import { REPO_ROOT, ServiceProcess, testDatabaseUrl, testKafkaBrokers } from '@cie/testing';

export { REPO_ROOT, ServiceProcess };

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

// Fixed, not random: Jest loads this module once per test file, and every file's exchange shares the database.
const TEST_PII_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * Settings shared by every exchange process of one test file (same secrets, group, database): the
 * test broker and database unless `overrides` names others.
 */
export function exchangeEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: testDatabaseUrl(),
    // Published secrets and the demo keys files: the exchange takes them only in demo mode.
    DEMO_MODE: '1',
    PSEUDONYM_SECRET: 'integration-test-pseudonym-secret-0123456789',
    // One key for every exchange the tests start: they share the database, as instances of one deployment do.
    PII_ENCRYPTION_KEY: TEST_PII_KEY,
    SUBSCRIBERS_FILE: `${REPO_ROOT}deploy/local/subscribers.demo.json`,
    RELEASE_RULES_FILE: `${REPO_ROOT}deploy/local/release-rules.demo.json`,
    CHECK_SIGNING_KEY_FILE: `${REPO_ROOT}deploy/local/check-signing-key.demo.pem`,
    FEED_ACK_KEYS_FILE: `${REPO_ROOT}deploy/local/feed-ack-keys.demo.json`,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'log',
    ...overrides,
  };
}

/** The built exchange as a real child process. */
export class ExchangeProcess extends ServiceProcess {
  constructor(env: Record<string, string>) {
    super(MAIN, env);
  }
}

/** A built sector service (e.g. `courts`) as a real child process, with the demo agency keys. */
export function sectorServiceProcess(sector: string, env: Record<string, string>): ServiceProcess {
  return ServiceProcess.of(sector, {
    DEMO_MODE: '1',
    AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`,
    LOG_FORMAT: 'json',
    ...env,
  });
}
