// What tracing costs per consumed event, off (the default) and on, on the exchange's per-message path:
// read the traceparent, start the processing span, bind it to the message, the two phase spans, end.
// Run after a build (Node strips the types): node services/exchange/test/tracing-overhead.bench.ts [events]
import 'reflect-metadata';
import {
  bindProcessingTrace,
  contextFromHeaders,
  otelTrace,
  processingTraceparent,
  ROOT_CONTEXT,
  shutdownTracing,
  SpanKind,
  startSpan,
  startTracing,
  tracingEnabled,
} from '@cie/platform';

const N = Number(process.argv[2] ?? 200_000);
const messages: Message[] = Array.from({ length: 1000 }, (_, i) => ({
  offset: String(i),
  headers: {
    traceparent: Buffer.from(
      `00-${'4bf92f3577b34da6a3ce929d0e0e4736'}-${i.toString(16).padStart(16, '0')}-01`,
    ),
  },
}));

interface Message {
  offset: string;
  headers: { traceparent: Buffer };
}

function perEvent(m: Message): string | undefined {
  const span = startSpan('credit.courts.events.v1 process', {
    kind: SpanKind.CONSUMER,
    parent: contextFromHeaders(m.headers),
    attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'credit.courts.events.v1' },
  });
  bindProcessingTrace(m, span);
  const traceparent = processingTraceparent(m); // what each feed message built from it asks for
  if (tracingEnabled()) {
    const ctx = otelTrace.setSpan(ROOT_CONTEXT, span);
    startSpan('exchange store and route', { parent: ctx }).end();
    startSpan('exchange publish and commit', { parent: ctx, kind: SpanKind.PRODUCER }).end();
  }
  span.end();
  return traceparent;
}

function baseline(m: Message): string | undefined {
  // The same loop without tracing: read the header as the CloudEvents reader does.
  return m.headers.traceparent?.toString();
}

function measure(label: string, fn: (m: Message) => string | undefined): number {
  for (let i = 0; i < 20_000; i++) fn(messages[i % messages.length]!); // warm up
  const start = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < N; i++) sink += fn(messages[i % messages.length]!)?.length ?? 0;
  const ns = Number(process.hrtime.bigint() - start) / N;
  console.log(
    `${label.padEnd(34)} ${ns.toFixed(0).padStart(7)} ns/event  (${sink > 0 ? 'traceparent out' : 'none'})`,
  );
  return ns;
}

const base = measure('no tracing code', baseline);
const off = measure('tracing off (default)', perEvent);
// On: SDK, batch processor and OTLP exporter to a port nobody listens on (export cost is async, off the path).
await startTracing('bench', '0', {
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_BSP_MAX_QUEUE_SIZE: '2048',
});
const on = measure('tracing on (3 spans per event)', perEvent);
await shutdownTracing().catch(() => undefined);

// The exchange processes about 855 events/s on this machine (README benchmark): ~1.17 ms per event.
const perEventBudgetNs = 1e9 / 855;
console.log(
  `off - baseline: ${(off - base).toFixed(0)} ns/event = ${(((off - base) / perEventBudgetNs) * 100).toFixed(4)} % of an event's processing time`,
);
console.log(
  `on  - baseline: ${(on - base).toFixed(0)} ns/event = ${(((on - base) / perEventBudgetNs) * 100).toFixed(3)} % of an event's processing time`,
);
console.log(`ratio on/off per event: ${(on / off).toFixed(1)}`);
