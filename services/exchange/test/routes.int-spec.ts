import { randomUUID } from 'node:crypto';
import { expectEveryRouteGuarded, REPO_ROOT } from '@cie/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadExchangeConfig } from '../src/exchange.config.js';
import { createApp } from '../src/main.js';
import { exchangeEnv } from './exchange-process.js';

const run = randomUUID().slice(0, 8);
// The OpenAPI document describes the API and holds no data, as on the sector services; the signing
// key is public by design, so that a receipt verifies offline.
const OPEN_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /openapi.json',
  'GET /v1/signing-key',
];

// In process, so the routes are the ones the running app registered: a route added later without a
// guard fails here without anyone listing it.
describe('every route of the exchange', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    const env = exchangeEnv({
      KAFKA_CONSUMER_GROUP: `routes-it-${run}`,
      EXCHANGE_INSTANCE_ID: `routes-it-${run}`,
      CLIENTS_FILE: `${REPO_ROOT}deploy/local/exchange-clients.demo.json`,
      HOLIDAYS_FILE: `${REPO_ROOT}deploy/local/holidays.demo.json`,
      FEED_ACK_KEYS_FILE: `${REPO_ROOT}deploy/local/feed-ack-keys.demo.json`,
      // Every route is called without a key: far more failed authentications than a minute allows.
      AUTH_FAILURES_PER_MINUTE: '100000',
      LOG_LEVEL: 'warn',
    });
    app = await createApp(loadExchangeConfig(env));
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 401 without a known key and 403 to a client of another role, but health and metrics', async () => {
    await expectEveryRouteGuarded(app, {
      open: OPEN_ROUTES,
      wrongScopeKeys: {
        operator: 'demo-key-operator',
        'subscriber beijing-platform': 'demo-key-beijing-platform',
        'subject desk': 'demo-key-credit-desk',
        'procurement officer': 'demo-key-procurement-officer',
      },
      // Dead letters, routing, subjects, disputes, repairs, deletion acks, policy, checks, reports,
      // lists, holdings.
      minRoutes: 23,
      // Any known key may ask who it is.
      anyClient: ['GET /v1/whoami'],
    });
  });

  it('tells each key who it is: role, client id, and the subscriber or agency it acts for', async () => {
    const whoami = async (key: string) => {
      const response = await fetch(`${await app.getUrl()}/v1/whoami`, {
        headers: { authorization: `Bearer ${key}` },
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await whoami('demo-key-operator')).toEqual({
      status: 200,
      body: { role: 'operator', id: 'ops', sector: null },
    });
    expect(await whoami('demo-key-credit-desk')).toEqual({
      status: 200,
      body: { role: 'subject-desk', id: 'credit-desk', sector: null },
    });
    expect(await whoami('demo-key-beijing-platform')).toEqual({
      status: 200,
      body: { role: 'subscriber', id: 'beijing-platform', sector: null, subscriberId: 'beijing-platform' },
    });
    expect(await whoami('demo-key-procurement-officer')).toEqual({
      status: 200,
      body: { role: 'officer', id: 'procurement-bj-officer', sector: null, agencyId: 'procurement-bj' },
    });
    expect((await whoami('demo-key-court-bj-chaoyang')).status).toBe(401);
  });
});
