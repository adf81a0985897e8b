import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  createLogger,
  enableGracefulShutdown,
  hardenHttp,
  serviceVersion,
  startConsumers,
  startObservability,
  useHttpObservability,
} from '@cie/platform';
import { AppModule } from './app.module.js';
import { type ExchangeConfig, loadExchangeConfig } from './exchange.config.js';
import { OpenApiModule } from './openapi/openapi.module.js';

const VERSION = serviceVersion(import.meta.url);

export async function createApp(config: ExchangeConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    OpenApiModule.documenting(AppModule.forRoot(config)),
    {
      logger: createLogger('exchange', VERSION, config),
    },
  );
  useHttpObservability(app);
  hardenHttp(app, {
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    maxInFlight: config.MAX_IN_FLIGHT_REQUESTS,
  });
  enableGracefulShutdown(app);
  await startConsumers(app);
  return app;
}

async function main(): Promise<void> {
  const config = loadExchangeConfig(process.env);
  // Before the app: spans need the SDK in place when the first request or message arrives.
  await startObservability('exchange', VERSION, process.env);
  const app = await createApp(config);
  await app.listen(config.PORT, '0.0.0.0');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
