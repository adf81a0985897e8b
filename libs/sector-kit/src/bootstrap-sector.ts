import { NestFactory } from '@nestjs/core';
import express from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  createLogger,
  enableGracefulShutdown,
  loadConfig,
  startObservability,
  useHttpObservability,
} from '@cie/platform';
import type { SectorDefinition } from './record-type.js';
import { SectorAppModule } from './sector-app.module.js';
import { SectorConfig } from './sector.config.js';

/** Thrown by the JSON body parser for bytes that are not UTF-8 (body-parser turns `status` into the HTTP status). */
class InvalidUtf8Error extends Error {
  readonly status = 400;
  readonly expose = true;
}
const utf8 = new TextDecoder('utf-8', { fatal: true });
const BULK_REQUEST_TIMEOUT_MS = 2 * 60 * 60 * 1000;

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

/** Body parsing and shutdown for an app built from SectorAppModule (created with `bodyParser: false`). */
export function configureSectorApp(app: NestExpressApplication): NestExpressApplication {
  // First: request metrics and the server span cover body parsing too.
  useHttpObservability(app);
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
  // NDJSON uploads stream for as long as they have records; Node's default 5-minute limit on
  // receiving a request would cut a large one off (about 600k records at today's rate).
  app.getHttpServer().requestTimeout = BULK_REQUEST_TIMEOUT_MS;
}
