import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  createLogger,
  enableGracefulShutdown,
  hardenHttp,
  loadConfig,
  serviceVersion,
  startConsumers,
  startObservability,
  useHttpObservability,
} from '@cie/platform';
import { AppModule } from './app.module.js';
import { RegionalPlatformConfig } from './platform.config.js';

const VERSION = serviceVersion(import.meta.url);

export async function createApp(config: RegionalPlatformConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: createLogger(`regional-platform:${config.SUBSCRIBER_ID}`, VERSION, config),
  });
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
  const config = loadConfig(RegionalPlatformConfig, process.env);
  // Before the app: spans need the SDK in place when the first message arrives.
  await startObservability('regional-platform', VERSION, process.env);
  const app = await createApp(config);
  await app.listen(config.PORT, '0.0.0.0');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
