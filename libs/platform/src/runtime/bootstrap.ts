import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import type { CommonConfig } from '../config/common-config.js';
import { httpObservability, httpRequestLog } from '../observability/http-observability.js';
import { createPinoLogger } from '../observability/pino-logger.js';
import { collectProcessMetrics } from '../observability/metrics.js';
import { shutdownTracing, startTracing } from '../observability/tracing.js';

/**
 * The logger every service uses (pino through nestjs-pino): JSON lines (or text for a terminal) with
 * the service, its version and the active trace id, personal data and secrets redacted by the shared
 * list.
 */
export function createLogger(
  service: string,
  /** `serviceVersion(import.meta.url)` of the service's own code. */
  version: string,
  config: Pick<CommonConfig, 'LOG_LEVEL' | 'LOG_FORMAT'>,
): LoggerService {
  return createPinoLogger({ service, version, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
}

/**
 * What a service starts before its app: tracing when the OTEL_* variables ask for it (nothing
 * otherwise) and the process metrics. Returns whether tracing is on.
 */
export async function startObservability(
  service: string,
  version: string,
  env: Record<string, string | undefined>,
): Promise<boolean> {
  collectProcessMetrics();
  return startTracing(service, version, env);
}

/**
 * The HTTP side of observability (request metrics, server spans, one log line per request); first
 * middleware of every app.
 */
export function useHttpObservability(app: INestApplication): void {
  app.use(httpObservability());
  app.use(httpRequestLog());
}

/** Under Kubernetes' default 30 s grace period, so that the process ends on its own terms. */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * Stops the app cleanly on SIGTERM / SIGINT: readiness turns false, consumers stop fetching and
 * finish (and commit) the batch in hand, the HTTP server stops accepting and lets requests in flight
 * finish, producers flush, then spans are flushed and the process exits 0. A second signal, or a
 * shutdown still running after 25 s, exits 1 at once.
 */
export function enableGracefulShutdown(
  app: INestApplication,
  options: { timeoutMs?: number; exit?: (code: number) => void } = {},
): void {
  const logger = new Logger('Shutdown');
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again while stopping: exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    logger.log(`${signal}: stopping intake and finishing work in flight`);
    const timer = setTimeout(() => {
      logger.error(`not stopped after ${options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      exit(1);
    }, options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    void (async () => {
      let code = 0;
      try {
        await app.close();
        logger.log('stopped');
      } catch (error) {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        code = 1;
      }
      await shutdownTracing().catch(() => undefined);
      clearTimeout(timer);
      exit(code);
    })();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
