import { randomUUID } from 'node:crypto';
import { loadConfig } from '@cie/platform';
import { NOT_API_PATHS, registeredRoutes, undocumentedRoutes } from '@cie/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ExchangeConfig } from '../src/exchange.config.js';
import { createApp } from '../src/main.js';
import { exchangeEnv, REPO_ROOT } from './exchange-process.js';

const run = randomUUID().slice(0, 8);

describe('the exchange OpenAPI document', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    // In process, as main.ts builds it, so the routes read are the ones the service serves.
    const config = loadConfig(
      ExchangeConfig,
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `openapi-it-${run}`,
        EXCHANGE_INSTANCE_ID: `openapi-it-${run}`,
        // Absolute: the service resolves its default files from the repository root, jest runs here.
        CLIENTS_FILE: `${REPO_ROOT}deploy/local/exchange-clients.demo.json`,
        HOLIDAYS_FILE: `${REPO_ROOT}deploy/local/holidays.demo.json`,
        LOG_LEVEL: 'warn',
        PORT: '0',
      }),
    );
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is served at /openapi.json without a key, as OpenAPI 3.1', async () => {
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ openapi: '3.1.0', paths: expect.any(Object) as unknown });
  });

  it('documents every route the exchange serves (health, metrics and the document aside)', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Record<string, unknown>;
    expect(registeredRoutes(app).length).toBeGreaterThan(15);
    expect(undocumentedRoutes(app, doc, NOT_API_PATHS)).toEqual([]);
  });
});
