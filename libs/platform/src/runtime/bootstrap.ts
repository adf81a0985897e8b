import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import type { CommonConfig } from '../config/common-config.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

/** The logger every service uses: JSON lines with the service name, or text for a terminal. */
export function createLogger(
  service: string,
  config: Pick<CommonConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>,
): ConsoleLogger {
  return new ConsoleLogger(service, {
    json: config.LOG_FORMAT === 'json',
    colors: config.LOG_FORMAT === 'text',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1),
  });
}

/** Stops the app cleanly on SIGTERM / SIGINT (consumers drain, producers flush). */
export function enableGracefulShutdown(app: INestApplication): void {
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}
