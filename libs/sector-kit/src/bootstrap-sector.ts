import { NestFactory } from '@nestjs/core';
import express from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  agencyAuthentication,
  AgencyDirectory,
  createLogger,
  enableGracefulShutdown,
  hardenHttp,
  isHealthOrMetrics,
  loadConfig,
  SERVICE_SECTOR,
  startConsumers,
  startObservability,
  useHttpObservability,
} from '@cie/platform';
import type { Sector } from '@cie/contracts';
import type { SectorDefinition } from './record-type.js';
import { SectorAppModule } from './sector-app.module.js';
import { SectorConfig } from './sector.config.js';

/** Thrown by the JSON body parser for bytes that are not UTF-8 (body-parser turns `status` into the HTTP status). */
class InvalidUtf8Error extends Error {
  readonly status = 400;
  readonly expose = true;
}
const utf8 = new TextDecoder('utf-8', { fatal: true });
// NDJSON uploads stream for as long as they have records: two hours for the bulk route (about
// 600k records at today's rate would need more than Node's 5 minutes), 30 s for every other one.
const BULK_REQUEST_TIMEOUT_MS = 2 * 60 * 60 * 1000;
const BULK_ROUTE = /^\/v1\/records\/bulk\/?$/;

/** The routes of a sector service that need no key: probes, metrics and the OpenAPI document. */
export const isOpenSectorRoute = (path: string): boolean =>
  isHealthOrMetrics(path) || path === '/openapi.json';

export async function createSectorApp(
  sector: SectorDefinition,
  config: SectorConfig,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(SectorAppModule.forSector(sector, config), {
    logger: createLogger(sector.sector, sector.version, config),
    bodyParser: false,
  });
  return configureSectorApp(app);
}

/**
 * Body parsing and shutdown for an app built from SectorAppModule (created with `bodyParser: false`),
 * then its init and its Kafka consumers started.
 */
export async function configureSectorApp(app: NestExpressApplication): Promise<NestExpressApplication> {
  // First: request metrics and the server span cover body parsing too.
  useHttpObservability(app);
  const config = app.get(SectorConfig);
  hardenHttp(app, {
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    maxInFlight: config.MAX_IN_FLIGHT_REQUESTS,
    open: isOpenSectorRoute,
    longer: { matches: (req) => BULK_ROUTE.test(req.path), timeoutMs: BULK_REQUEST_TIMEOUT_MS },
  });
  // The key before the body: an unknown caller's 8 MB (or 20,000 levels of nesting) is never parsed.
  // AgencyAuthGuard still runs on each route, and keeps its scoping.
  app.use(agencyAuthentication(app.get(AgencyDirectory), app.get<Sector>(SERVICE_SECTOR), isOpenSectorRoute));
  // express.json directly: Nest reserves body-parser's `verify`, which is where bytes can be checked.
  app.use(
    express.json({
      limit: '8mb',
      type: ['application/json'],
      verify: (_req, _res, buffer) => {
        try {
          utf8.decode(buffer);
        } catch {
          throw new InvalidUtf8Error('the request body is not valid UTF-8');
        }
      },
    }),
  );
  enableGracefulShutdown(app);
  await startConsumers(app);
  return app;
}

/** main() of every sector service: configuration from the environment, then listen. */
export async function runSectorService(
  sector: SectorDefinition,
  env: Record<string, string | undefined>,
): Promise<void> {
  const config = loadConfig(SectorConfig, { PORT: String(sector.defaultPort), ...env });
  // Before the app: spans need the SDK in place when the first request or message arrives.
  await startObservability(sector.sector, sector.version, env);
  const app = await createSectorApp(sector, config);
  await app.listen(config.PORT, '0.0.0.0');
}
