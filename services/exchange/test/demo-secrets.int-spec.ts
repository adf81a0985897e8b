import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashBearerKeyScrypt, signingKeysFileOf } from '@cie/platform';
import { REPO_ROOT, testDatabaseUrl, testKafkaBrokers } from '@cie/testing';

/** Runs a built service until it exits (it must, within 20 s) and returns its code and output. */
async function runToExit(
  service: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  // Only what is given: the test runner's environment must not lend the service a DEMO_MODE.
  const child = spawn(process.execPath, [`${REPO_ROOT}services/${service}/dist/main.js`], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}

const infrastructure = () => ({
  KAFKA_BROKERS: testKafkaBrokers().join(','),
  DATABASE_URL: testDatabaseUrl(),
  PORT: '28099',
  LOG_FORMAT: 'json',
});
const ownFiles = {
  SUBSCRIBERS_FILE: `${REPO_ROOT}deploy/local/subscribers.demo.json`,
  RELEASE_RULES_FILE: `${REPO_ROOT}deploy/local/release-rules.demo.json`,
};

describe('a service given demo secrets without DEMO_MODE', () => {
  it('the exchange refuses the published pseudonym secret and PII key, naming each', async () => {
    const { code, output } = await runToExit('exchange', {
      ...infrastructure(),
      ...ownFiles,
      EXCHANGE_INSTANCE_ID: 'demo-secrets-it',
      PSEUDONYM_SECRET: 'compose-demo-pseudonym-secret-change-me',
      PII_ENCRYPTION_KEY: 'Y29tcG9zZS1kZW1vLWtleS0zMi1ieXRlcy1jaGFuZ2U=',
    });
    expect(code).toBe(1);
    expect(output).toContain('PSEUDONYM_SECRET is the published demo secret; set your own or DEMO_MODE=1');
    expect(output).toContain('PII_ENCRYPTION_KEY is the published demo secret; set your own or DEMO_MODE=1');
    // The demo files, defaults included, are refused in the same breath.
    expect(output).toContain('SUBSCRIBERS_FILE is a demo file');
    expect(output).toContain('CLIENTS_FILE is a demo file (deploy/local/exchange-clients.demo.json)');
    expect(output).not.toContain('EXCHANGE_INSTANCE_ID');
  });

  it('the exchange refuses to start without an explicit EXCHANGE_INSTANCE_ID', async () => {
    const secrets = {
      PSEUDONYM_SECRET: 'an-own-pseudonym-secret-of-at-least-32-characters',
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    };
    const refused = await runToExit('exchange', { ...infrastructure(), ...ownFiles, ...secrets });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      "EXCHANGE_INSTANCE_ID must be set: this instance's stable name in the audit log",
    );
  });

  it('a sector service refuses its default, demo, agency keys file', async () => {
    const { code, output } = await runToExit('courts', infrastructure());
    expect(code).toBe(1);
    expect(output).toContain(
      'AGENCY_KEYS_FILE is a demo file (deploy/local/agency-keys.demo.json); set your own or DEMO_MODE=1',
    );
  });

  it('a regional platform refuses the demo readers file even copied under another name', async () => {
    const copy = path.join(mkdtempSync(path.join(tmpdir(), 'cie-demo-')), 'readers.json');
    copyFileSync(`${REPO_ROOT}deploy/local/platform-clients.demo.json`, copy);
    const { code, output } = await runToExit('regional-platform', {
      ...infrastructure(),
      SUBSCRIBER_ID: 'beijing-platform',
      PLATFORM_CLIENTS_FILE: copy,
      FEED_ACK_SIGNING_KEYS_FILE: ownAckKey('beijing-platform'),
    });
    expect(code).toBe(1);
    expect(output).toContain(
      `PLATFORM_CLIENTS_FILE ${copy}: beijing-platform-reader has a published demo key; set your own keys or DEMO_MODE=1`,
    );
  });

  it('a regional platform refuses the demo ack signing key, and the exchange the demo ack public keys, copied under other names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cie-demo-'));
    const signing = path.join(dir, 'ack-signing.json');
    copyFileSync(`${REPO_ROOT}deploy/local/feed-ack-signing-keys.demo.json`, signing);
    const platform = await runToExit('regional-platform', {
      ...infrastructure(),
      SUBSCRIBER_ID: 'beijing-platform',
      PLATFORM_CLIENTS_FILE: ownClients({ clientId: 'reader', subscriberId: 'beijing-platform' }),
      FEED_ACK_SIGNING_KEYS_FILE: signing,
    });
    expect(platform.code).toBe(1);
    expect(platform.output).toContain(
      `FEED_ACK_SIGNING_KEYS_FILE ${signing}: beijing-platform has a published demo key; set your own keys or DEMO_MODE=1`,
    );

    const publicKeys = path.join(dir, 'ack-keys.json');
    copyFileSync(`${REPO_ROOT}deploy/local/feed-ack-keys.demo.json`, publicKeys);
    const exchange = await runToExit('exchange', {
      ...infrastructure(),
      ...ownFiles,
      EXCHANGE_INSTANCE_ID: 'demo-secrets-it',
      PSEUDONYM_SECRET: 'an-own-pseudonym-secret-of-at-least-32-characters',
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      DEMO_MODE: '0',
      SUBSCRIBERS_FILE: copyOf('subscribers'),
      RELEASE_RULES_FILE: copyOf('release-rules'),
      CLIENTS_FILE: ownClients({ clientId: 'ops', role: 'operator' }),
      FEED_ACK_KEYS_FILE: publicKeys,
      CHECK_SIGNING_KEY_FILE: ownSigningKey(),
    });
    expect(exchange.code).toBe(1);
    expect(exchange.output).toContain(
      `FEED_ACK_KEYS_FILE ${publicKeys}: beijing-platform has a published demo public key; set your own keys or DEMO_MODE=1`,
    );
  });
});

/** A fresh ack signing keys file for `subscriberId`. */
function ownAckKey(subscriberId: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-ack-')), 'ack-signing.json');
  writeFileSync(file, signingKeysFileOf(subscriberId, generateKeyPairSync('ed25519').privateKey));
  return file;
}

/** A copy of a demo policy file under a non-demo name (policy files hold no secret). */
function copyOf(name: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-policy-')), `${name}.json`);
  copyFileSync(`${REPO_ROOT}deploy/local/${name}.demo.json`, file);
  return file;
}

/** A clients file with one fresh key, so that only the ack keys are what is refused. */
function ownClients(client: Record<string, string>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-clients-')), 'clients.json');
  const keyScrypt = hashBearerKeyScrypt(randomBytes(24).toString('base64url'), {
    cost: { N: 1024, r: 8, p: 1 },
  });
  writeFileSync(file, JSON.stringify({ clients: [{ ...client, keyScrypt }] }));
  return file;
}

/** A fresh check-signing key (PKCS#8 PEM). */
function ownSigningKey(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cie-signing-')), 'check-signing-key.pem');
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  writeFileSync(file, pem);
  return file;
}
