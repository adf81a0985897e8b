import { Logger } from '@nestjs/common';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { type DestinationStream, type LoggerOptions, pino } from 'pino';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPinoLogger, pinoParams } from './pino-logger.js';
import { deadLetterReasonCode, metricsRegistry, registerGauge } from './metrics.js';
import { REDACTED, redact, redactText } from './redact.js';
import { serviceVersion } from './service-version.js';
import { contextFromHeaders, startSpan, traceparentOf, tracingWanted } from './tracing.js';

const RESIDENT_ID = '110105199001010022';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('the shared redaction list', () => {
  it('given a message with a resident id, a bearer key and a demo key, when redacted, then none is left', () => {
    const text = `subject ${RESIDENT_ID} sent with Authorization: Bearer s3cr3t-key-value and demo-key-court-bj-chaoyang`;
    const out = redactText(text);
    expect(out).not.toContain(RESIDENT_ID);
    expect(out).not.toContain('s3cr3t-key-value');
    expect(out).not.toContain('demo-key-court-bj-chaoyang');
  });

  it('given a company code (public register data), when redacted, then it stays', () => {
    expect(redactText('USCC 91110105MA01C8XK3R')).toBe('USCC 91110105MA01C8XK3R');
  });

  it('given credentials in a URL or a key=value pair, when redacted, then the secret is gone', () => {
    expect(redactText('postgres://postgres:hunter2@db:5432/x')).toBe(
      `postgres://postgres:${REDACTED}@db:5432/x`,
    );
    expect(redactText('password=hunter2 token: abc')).toBe(`password=${REDACTED} token: ${REDACTED}`);
  });

  it('given an object with named personal fields at any depth, when redacted, then their values are replaced', () => {
    const out = redact({
      subject: { kind: 'natural_person', name: '王五', idNumber: RESIDENT_ID },
      headers: { authorization: 'Bearer x' },
      note: `about ${RESIDENT_ID}`,
      count: 3,
    });
    expect(out).toEqual({
      subject: { kind: 'natural_person', name: REDACTED, idNumber: REDACTED },
      headers: { authorization: REDACTED },
      note: `about ${REDACTED}`,
      count: 3,
    });
  });

  it('given a cyclic object, when redacted, then it terminates', () => {
    const a: Record<string, unknown> = { x: 1 };
    a['self'] = a;
    expect(redact(a)).toEqual({ x: 1, self: '[…]' });
  });
});

describe('the pino logger (nestjs-pino)', () => {
  // nestjs-pino keeps one root pino logger per process: one logger for the whole file.
  const lines: string[] = [];
  const logger = createPinoLogger({
    service: 'courts',
    version: '1.2.3',
    level: 'log',
    format: 'json',
    write: (l) => lines.push(l),
  });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  beforeEach(() => {
    lines.length = 0;
    Logger.overrideLogger(logger);
  });

  it('writes one JSON line with service, version, level, time and Nest context, redacted, for Logger from @nestjs/common', () => {
    new Logger('IntakeService').log(`record of ${RESIDENT_ID} accepted`);
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'courts',
        version: '1.2.3',
        context: 'IntakeService',
        msg: `record of ${REDACTED} accepted`,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      }),
    ]);
  });

  it('redacts named fields of logged objects at any depth and error stacks, and leaves out levels below the configured one', () => {
    const nest = new Logger('Ctx');
    nest.debug('not written');
    nest.warn({
      msg: 'odd subject',
      subject: { idNumber: RESIDENT_ID, name: '王五' },
      headers: { authorization: 'Bearer x' },
    });
    nest.error('failed', `Error: Bearer abc\n    at x`);
    const [warn, error] = parsed();
    expect(parsed()).toHaveLength(2);
    expect(warn).toEqual(
      expect.objectContaining({
        level: 'warn',
        subject: { idNumber: REDACTED, name: REDACTED },
        headers: { authorization: REDACTED },
      }),
    );
    expect(JSON.stringify(error)).not.toContain('abc');
    expect((error?.['err'] as { stack?: string }).stack).toBe(`Error: Bearer ${REDACTED}\n    at x`);
  });

  it('adds the trace and span ids of the active span, and none outside one', () => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    try {
      context.with(parent, () => new Logger('T').log('inside'));
      new Logger('T').log('outside');
    } finally {
      context.disable();
    }
    expect(parsed()[0]).toEqual(
      expect.objectContaining({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' }),
    );
    expect(parsed()[1]).not.toHaveProperty('trace_id');
  });
});

describe('LOG_FORMAT=text', () => {
  it('writes the same entry as one readable line with its trace id', () => {
    const out: string[] = [];
    const { pinoHttp } = pinoParams({
      service: 's',
      version: '1',
      level: 'log',
      format: 'text',
      write: (l) => out.push(l),
    }) as { pinoHttp: [LoggerOptions, DestinationStream] };
    const logger = pino(...pinoHttp);
    logger.info({ context: 'Feed', trace_id: 'abc', n: 2 }, `applied for ${RESIDENT_ID}`);
    expect(out).toEqual([
      expect.stringMatching(/^\S+Z INFO {2}\[Feed\] applied for \[redacted\] \{"n":2\} trace=abc\n$/),
    ]);
  });
});

describe('tracing configuration', () => {
  it('is off by default and when disabled, on with an OTLP endpoint or exporter', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(
      tracingWanted({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(tracingWanted({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('with tracing off, passes an incoming traceparent through to what is produced', () => {
    const span = startSpan('process', {
      parent: contextFromHeaders({ traceparent: Buffer.from(TRACEPARENT) }),
    });
    expect(traceparentOf(span)).toBe(TRACEPARENT);
    expect(traceparentOf(startSpan('orphan', { parent: contextFromHeaders({}) }))).toBeUndefined();
  });
});

describe('metrics', () => {
  it('registers a gauge computed at scrape time, and replaces it when registered again', async () => {
    registerGauge({
      name: 'test_open_things',
      help: 'h',
      labelNames: ['sector'],
      collect: (g) => g.set({ sector: 'tax' }, 1),
    });
    registerGauge({
      name: 'test_open_things',
      help: 'h',
      labelNames: ['sector'],
      collect: (g) => g.set({ sector: 'tax' }, 7),
    });
    expect(await metricsRegistry.getSingleMetricAsString('test_open_things')).toContain(
      'test_open_things{sector="tax"} 7',
    );
    metricsRegistry.removeSingleMetric('test_open_things');
  });

  it('turns free-text dead-letter reasons into a bounded code', () => {
    expect(deadLetterReasonCode('invalid envelope: header ce_id is missing')).toBe('invalid_envelope');
    expect(deadLetterReasonCode('agency x already published record y; send a correction instead')).toBe(
      'duplicate_record',
    );
    expect(deadLetterReasonCode('subject.idNumber check character is A')).toBe('unprocessable');
  });
});

describe('the version a service logs', () => {
  it('given a module inside a package, when asked, then it is that package’s version, not the main script’s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'svc', version: '7.3.1' }));
    mkdirSync(join(dir, 'dist', 'deep'), { recursive: true });
    const moduleUrl = pathToFileURL(join(dir, 'dist', 'deep', 'main.js')).href;
    expect(serviceVersion(moduleUrl)).toBe('7.3.1');
  });
});

describe('dead-letter codes', () => {
  it('Given the headers of a dead letter with dlq_code, When its code is read, Then dlq_code wins over the text', () => {
    expect(
      deadLetterReasonCode({ dlq_code: 'not_owner', dlq_reason: 'subscriber a already published' }),
    ).toBe('not_owner');
  });

  it('Given headers without a known dlq_code, When its code is read, Then it comes from dlq_reason', () => {
    expect(deadLetterReasonCode({ dlq_reason: 'invalid envelope: header ce_id is missing' })).toBe(
      'invalid_envelope',
    );
    expect(deadLetterReasonCode({ dlq_code: 'made_up', dlq_reason: 'whatever' })).toBe('unprocessable');
  });
});
