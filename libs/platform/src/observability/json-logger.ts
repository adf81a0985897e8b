import type { LoggerService, LogLevel } from '@nestjs/common';
import { context as otelContext, trace } from '@opentelemetry/api';
import { redact, redactText } from './redact.js';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const LEVEL_NAME: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface JsonLoggerOptions {
  service: string;
  version: string;
  /** The most verbose level written (`log` writes fatal, error, warn and log). */
  level: LogLevel;
  format: 'json' | 'text';
  /** Where lines go; stdout by default (tests capture it). */
  write?: (line: string) => void;
}

/**
 * The logger of every service: one line per entry, with the service, its version and, when a span is
 * active, the trace and span ids, so a log line leads to its trace. Everything written (message,
 * context, error stacks, objects) goes through the shared redaction list first.
 */
export class JsonLogger implements LoggerService {
  private enabled: Set<LogLevel>;
  private readonly write: (line: string) => void;

  constructor(private readonly options: JsonLoggerOptions) {
    this.enabled = new Set(ORDER.slice(0, ORDER.indexOf(options.level) + 1));
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.entry('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.entry('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.entry('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.entry('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.entry('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.entry('fatal', message, params);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  private entry(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    // Nest's Logger passes its context last, and for errors a stack before it.
    const rest = [...params];
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    let stack: string | undefined;
    if ((level === 'error' || level === 'fatal') && typeof rest[0] === 'string')
      stack = rest.shift() as string;
    if (message instanceof Error) {
      stack ??= message.stack;
      message = message.message;
    }
    const span = trace.getSpan(otelContext.active())?.spanContext();
    const traced = span && span.traceId !== '00000000000000000000000000000000';
    const line: Line & Record<string, unknown> = {
      time: new Date().toISOString(),
      level: LEVEL_NAME[level],
      service: this.options.service,
      version: this.options.version,
      ...(context ? { context } : {}),
      msg: typeof message === 'string' ? redactText(message) : redact(message),
      ...(traced ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      ...(stack ? { stack: redactText(stack) } : {}),
      ...(rest.length > 0 ? { details: redact(rest.length === 1 ? rest[0] : rest) } : {}),
    };
    this.write(this.options.format === 'json' ? `${JSON.stringify(line)}\n` : text(line));
  }
}

interface Line {
  time: string;
  level: string;
  context?: string;
  msg: unknown;
  trace_id?: string;
  stack?: string;
  details?: unknown;
}

function text(line: Line): string {
  const parts = [
    line.time,
    line.level.toUpperCase().padEnd(5),
    line.context ? `[${line.context}]` : '',
    typeof line.msg === 'string' ? line.msg : JSON.stringify(line.msg),
    line.details === undefined ? '' : JSON.stringify(line.details),
    line.trace_id ? `trace=${line.trace_id}` : '',
  ].filter(Boolean);
  return `${parts.join(' ')}\n${line.stack ? `${line.stack}\n` : ''}`;
}
