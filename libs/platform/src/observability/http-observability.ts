import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { context as otelContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { pinoHttp } from 'pino-http';
import { cieMetrics } from './metrics.js';
import { REDACTING_SERIALIZERS, rootPinoLogger } from './pino-logger.js';
import { contextFromHeaders, startSpan, tracingEnabled } from './tracing.js';

/** Probes and scrapes: measured, never traced (they would drown the traces that matter). */
const UNTRACED = /^\/(health\/|metrics$)/;

/**
 * Express middleware, first in the chain: `http_request_duration_seconds` for every request (route
 * template as label, `unmatched` for paths no route serves, so cardinality stays bounded), and with
 * tracing on a server span continuing the caller's `traceparent`, active for the whole request
 * (body parsing included: the request and response emitters are bound to its context).
 */
export function httpObservability(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const traced = tracingEnabled() && !UNTRACED.test(req.path);
    const parent = traced ? contextFromHeaders(req.headers) : undefined;
    const span = parent
      ? startSpan(req.method, {
          kind: SpanKind.SERVER,
          parent,
          attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol },
        })
      : undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      cieMetrics.httpRequestDuration.observe(
        { method: req.method, route, status_code: String(status) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      if (span) {
        span.updateName(`${req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    if (!span || !parent) {
      next();
      return;
    }
    const ctx = trace.setSpan(parent, span);
    otelContext.bind(ctx, req);
    otelContext.bind(ctx, res);
    otelContext.with(ctx, next);
  };
}

function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched';
}

/**
 * pino-http on the services' root pino logger: one line per request when its response is done
 * (`request completed`; error for 5xx), with the request's method, URL and headers and
 * the response's status, redacted like every line (authorization and cookie headers, identity
 * numbers in the URL) and, when traced, under the request's span. Probes and scrapes are not logged.
 */
export function httpRequestLog(): RequestHandler {
  const logger = rootPinoLogger();
  if (!logger) return (_req, _res, next) => next();
  return pinoHttp({
    logger,
    autoLogging: { ignore: (req) => UNTRACED.test(req.url ?? '') },
    // A 4xx is the caller's mistake, answered and counted (http_request_duration_seconds): not a warning.
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    serializers: REDACTING_SERIALIZERS,
  });
}
