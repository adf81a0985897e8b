import { randomUUID } from 'node:crypto';
import { loadConfig } from '@cie/platform';
import { expectEveryRouteGuarded, REPO_ROOT, testDatabaseUrl, testKafkaBrokers } from '@cie/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../src/main.js';
import { RegionalPlatformConfig } from '../src/platform.config.js';

const run = randomUUID().slice(0, 8);
const OPEN_ROUTES = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];
const SHANGHAI_READER = 'demo-key-platform-shanghai-reader';
const BEIJING_READER = 'demo-key-platform-beijing-reader';

/** A Shanghai platform in this process, in a schema and consumer group of its own, on the demo readers' file. */
async function startPlatform(
  env: Record<string, string>,
): Promise<{ app: NestExpressApplication; base: string }> {
  const tag = `${run}-${randomUUID().slice(0, 4)}`;
  const app = await createApp(
    loadConfig(RegionalPlatformConfig, {
      DEMO_MODE: '1',
      SUBSCRIBER_ID: 'shanghai-platform',
      PLATFORM_CLIENTS_FILE: `${REPO_ROOT}deploy/local/platform-clients.demo.json`,
      FEED_ACK_SIGNING_KEYS_FILE: `${REPO_ROOT}deploy/local/feed-ack-signing-keys.demo.json`,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      DB_SCHEMA: `rp_http_${tag.replace(/-/g, '_')}`,
      KAFKA_CONSUMER_GROUP: `rp-http-${tag}`,
      LOG_LEVEL: 'warn',
      ...env,
    }),
  );
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}

describe('the regional platform’s HTTP edge', () => {
  const apps: NestExpressApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('answers every route but health and metrics 401 without a key and 403 with another platform’s reader', async () => {
    const { app, base } = await startPlatform({ AUTH_FAILURES_PER_MINUTE: '100000' });
    apps.push(app);
    await expectEveryRouteGuarded(app, {
      open: OPEN_ROUTES,
      wrongScopeKeys: { 'beijing-platform reader': BEIJING_READER },
      minRoutes: 2,
    });
    const own = await fetch(`${base}/v1/records?subject=91110105MA01C8XK3R`, {
      headers: { authorization: `Bearer ${SHANGHAI_READER}` },
    });
    expect(own.status).toBe(200);
  });

  it('answers an address 429 with a growing Retry-After after too many failed authentications, whatever its key', async () => {
    const { app, base } = await startPlatform({ AUTH_FAILURES_PER_MINUTE: '3' });
    apps.push(app);
    const call = (key: string) =>
      fetch(`${base}/v1/records?subject=x`, { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await call('guess')).status).toBe(401);
    const blocked = await call(SHANGHAI_READER);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    expect(await blocked.json()).toMatchObject({ code: 'TOO_MANY_FAILED_AUTHENTICATIONS' });
    // Probes are never blocked: a kubelet shares the address of nobody's guesses.
    expect((await fetch(`${base}/health/live`)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call('guess again')).status).toBe(401);
    const longer = await call(SHANGHAI_READER);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('2');
  });
});
