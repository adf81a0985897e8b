import type { LogLevel } from '@nestjs/common';
import { context as otelContext, trace } from '@opentelemetry/api';
import { Logger, type Params, PinoLogger } from 'nestjs-pino';
import { type DestinationStream, type LevelWithSilent, type LoggerOptions, stdTimeFunctions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { redact, redactText } from './redact.js';

/** Nest's level names → pino's (`log` is pino's `info`, `verbose` its `trace`). */
const PINO_LEVEL: Record<LogLevel, LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Serialised by their own serializer (then redacted), never walked by `redact` as live objects. */
const SERIALIZED = new Set(['req', 'res', 'err']);
const NO_TRACE = '00000000000000000000000000000000';

export interface PinoLoggerOptions {
  service: string;
  version: string;
  /** The most verbose level written (`log` writes fatal, error, warn and log). */
  level: LogLevel;
  format: 'json' | 'text';
  /** Where lines go; stdout by default (tests capture it). */
  write?: (line: string) => void;
}

/**
 * Requests, responses and errors after pino-http's standard serializers (which it wraps these in):
 * a plain object, then redacted.
 */
export const REDACTING_SERIALIZERS = {
  req: (req: unknown) => redact(req),
  res: (res: unknown) => redact(res),
  err: (err: unknown) => redact(err),
};

/**
 * The pino options of every service: one JSON line per entry with `service`, `version`, a string
 * `level` and an ISO `time`, the active span's `trace_id` and `span_id`, and everything written
 * (message, objects, requests, errors) passed through the shared redaction list first.
 */
export function pinoOptions(options: PinoLoggerOptions): LoggerOptions & PinoHttpOptions {
  return {
    level: PINO_LEVEL[options.level],
    base: { service: options.service, version: options.version },
    timestamp: stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(object)) out[k] = SERIALIZED.has(k) ? v : redact(v);
        return out;
      },
    },
    serializers: REDACTING_SERIALIZERS,
    hooks: {
      // The message and its interpolation arguments: strings scanned for the patterns.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a: unknown) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>,
        );
      },
    },
    mixin: () => {
      const span = trace.getSpan(otelContext.active())?.spanContext();
      return span && span.traceId !== NO_TRACE ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  };
}

/** nestjs-pino's parameters for a service: its pino options and where the lines go. */
export function pinoParams(options: PinoLoggerOptions): Params {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const stream: DestinationStream = {
    write: options.format === 'json' ? write : (line) => write(textLine(line)),
  };
  return { pinoHttp: [pinoOptions(options), stream] };
}

/**
 * The logger of every service: nestjs-pino's `Logger` (so `new Logger(context)` from @nestjs/common
 * writes through pino) over the options above. nestjs-pino keeps one root pino instance per process:
 * the first service created in a process names the lines.
 */
export function createPinoLogger(options: PinoLoggerOptions): Logger {
  const params = pinoParams(options);
  return new Logger(new PinoLogger(params), params);
}

/** The root pino logger the services' Nest logger writes through, once one was created (for pino-http). */
export function rootPinoLogger(): PinoLogger['logger'] | undefined {
  return PinoLogger.root;
}

/** Fields a text line shows in its own place, or not at all. */
const TEXT_FIELDS = new Set([
  'time',
  'level',
  'context',
  'msg',
  'trace_id',
  'span_id',
  'err',
  'service',
  'version',
]);

/** `LOG_FORMAT=text`: the JSON line as one line a terminal reader can scan. */
function textLine(json: string): string {
  const line = JSON.parse(json) as Record<string, unknown> & { context?: string; trace_id?: string };
  const rest = Object.fromEntries(Object.entries(line).filter(([k]) => !TEXT_FIELDS.has(k)));
  const stack = (line['err'] as { stack?: unknown } | undefined)?.stack;
  const parts = [
    String(line['time']),
    String(line['level']).toUpperCase().padEnd(5),
    line.context ? `[${line.context}]` : '',
    typeof line['msg'] === 'string' ? line['msg'] : JSON.stringify(line['msg'] ?? ''),
    Object.keys(rest).length > 0 ? JSON.stringify(rest) : '',
    line.trace_id ? `trace=${line.trace_id}` : '',
  ].filter(Boolean);
  return `${parts.join(' ')}\n${typeof stack === 'string' ? `${stack}\n` : ''}`;
}
