import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  createLogger,
  enableGracefulShutdown,
  loadConfig,
  serviceVersion,
  startObservability,
  useHttpObservability,
} from '@cie/platform';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { ConsoleConfig } from './console.config.js';

const VERSION = serviceVersion(import.meta.url);
/** Stylesheets, the page script and the fonts' fallbacks: served from here, never from a CDN. */
export const ASSETS_DIR = fileURLToPath(new URL('../public', import.meta.url));

// Only our own scripts and styles run on these pages; nothing may frame them.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export async function createApp(config: ConsoleConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: createLogger('console', VERSION, config),
  });
  app.disable('x-powered-by');
  app.use((_: Request, response: Response, next: NextFunction) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    next();
  });
  app.useStaticAssets(ASSETS_DIR, { prefix: '/assets/', maxAge: 0 });
  useHttpObservability(app);
  enableGracefulShutdown(app);
  return app;
}

async function main(): Promise<void> {
  const config = loadConfig(ConsoleConfig, process.env);
  // Traces when the OTEL_* variables ask for them (Compose and Kubernetes do): a page's API calls join them.
  await startObservability('console', VERSION, process.env);
  const app = await createApp(config);
  await app.listen(config.PORT, '0.0.0.0');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
