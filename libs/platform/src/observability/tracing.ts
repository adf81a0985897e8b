import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as SdkTrace from '@opentelemetry/sdk-trace';

/**
 * Tracing with the OpenTelemetry API and manual spans at the few places a record crosses a boundary
 * (HTTP request, Kafka consume, store/route, Kafka produce), W3C trace context in HTTP and Kafka
 * headers. No auto-instrumentation: under ESM it needs a loader hook (`--import` with
 * import-in-the-middle) in front of every service and patches every pg / http call, for spans we do
 * not need; the boundaries we care about are ours and few.
 *
 * Off unless configured by the standard variables (see `tracingWanted`): then no SDK module is even
 * loaded, the API is its no-op, and what remains per message is parsing and re-formatting a
 * `traceparent` header, so a trace an agency started still passes through to the feed.
 */

const w3c = new W3CTraceContextPropagator();
let active: { shutdown(): Promise<void> } | undefined;

type Env = Record<string, string | undefined>;

/** Whether the standard OTEL_* variables ask for traces: an exporter or an OTLP endpoint, and the SDK not disabled. */
export function tracingWanted(env: Env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((e) => e.trim().toLowerCase());
  if (exporters.includes('none')) return false;
  return (
    exporters.some((e) => e === 'otlp' || e === 'console') ||
    Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'])
  );
}

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/**
 * Starts the SDK when the environment asks for it: a tracer provider with the batch span processor
 * and the OTLP/HTTP exporter (endpoint, headers, timeout from OTEL_EXPORTER_OTLP_*), the
 * AsyncLocalStorage context manager and the W3C propagator. Call once, before the app is created.
 */
export async function startTracing(service: string, version: string, env: Env): Promise<boolean> {
  if (active || !tracingWanted(env)) return active !== undefined;
  const [sdk, { AsyncLocalStorageContextManager }, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
  ]);
  const exporters = (env['OTEL_TRACES_EXPORTER'] || 'otlp').split(',').map((e) => e.trim().toLowerCase());
  const processors = [];
  for (const name of exporters) {
    if (name === 'console')
      processors.push(new sdk.SimpleSpanProcessor({ exporter: new sdk.ConsoleSpanExporter() }));
    if (name === 'otlp') {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      processors.push(
        new sdk.BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          scheduledDelayMillis: numberFrom(env['OTEL_BSP_SCHEDULE_DELAY']) ?? 5000,
          maxQueueSize: numberFrom(env['OTEL_BSP_MAX_QUEUE_SIZE']) ?? 2048,
          maxExportBatchSize: numberFrom(env['OTEL_BSP_MAX_EXPORT_BATCH_SIZE']) ?? 512,
          exportTimeoutMillis: numberFrom(env['OTEL_BSP_EXPORT_TIMEOUT']) ?? 30000,
        }),
      );
    }
  }
  const resource = resources
    .resourceFromAttributes({ 'service.name': service, 'service.version': version })
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerFrom(sdk, env),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(w3c);
  trace.setGlobalTracerProvider(provider);
  active = provider;
  return true;
}

/** Flushes and stops the SDK (at shutdown, after the app closed); nothing when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const provider = active;
  active = undefined;
  await provider?.shutdown();
}

function numberFrom(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) && n >= 0 ? n : undefined;
}

type Sdk = typeof SdkTrace;
/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, as the specification names them. */
function samplerFrom(sdk: Sdk, env: Env) {
  const ratio = Math.min(Math.max(Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? '1') || 0, 0), 1);
  switch ((env['OTEL_TRACES_SAMPLER'] ?? 'parentbased_always_on').trim().toLowerCase()) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) });
    default:
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
}

export const tracer = () => trace.getTracer('cie');

/** Header values as HTTP (string | string[]) or Kafka (Buffer | string | array) gives them. */
type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;
const getter: TextMapGetter<Record<string, HeaderValue>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};
const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The context a `traceparent` (and `tracestate`) header names as parent; the root context without one. */
export function contextFromHeaders(headers: Record<string, HeaderValue> | undefined): Context {
  if (!headers?.['traceparent']) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, headers, getter);
}

/** The `traceparent` header naming `span` (or the active span) as parent; undefined without a valid one. */
export function traceparentOf(span: Span | undefined = trace.getActiveSpan()): string | undefined {
  if (!span) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  return carrier['traceparent'];
}

/**
 * Starts a span under `parent` (the active context by default). With tracing off this is the API's
 * no-op, which keeps a valid parent's ids: `traceparentOf` then passes the incoming trace through.
 */
export function startSpan(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context; startTime?: number } = {},
): Span {
  return tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
    },
    options.parent ?? context.active(),
  );
}

/** Runs `fn` in a span that becomes the active context; records a thrown error on it and ends it. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!active)
    return fn(
      trace.wrapSpanContext(trace.getSpanContext(options.parent ?? context.active()) ?? INVALID_SPAN_CONTEXT),
    );
  const span = startSpan(name, options);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Outputs made from a consumed message (feed messages built deep inside a batch) carry the trace of
 * the span that processed that message. The consumer binds the span to the message object; the
 * code building an output asks for it. Weakly held: nothing outlives the batch.
 */
const processingTraces = new WeakMap<object, string>();
export function bindProcessingTrace(message: object, span: Span): void {
  const traceparent = traceparentOf(span);
  if (traceparent) processingTraces.set(message, traceparent);
}
export function processingTraceparent(message: object): string | undefined {
  return processingTraces.get(message);
}

export { ROOT_CONTEXT, SpanKind, SpanStatusCode, context as otelContext, trace as otelTrace };
export type { Span, Context as TraceContext };
