/** One sample line of the Prometheus text format: `name{label="value",…} number`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** Sum of a metric's samples, grouped by one label (or all together under ''). */
export function sumBy(samples: readonly PromSample[], name: string, label?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = label ? (s.labels[label] ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

/** What the overview keeps from one scrape of the exchange's /metrics. */
export interface MetricsPoint {
  at: number;
  /** Consumer lag summed over every partition the exchange consumes. */
  lag: number;
  /** cie_exchange_events_processed_total, summed: a counter, so throughput is its rate. */
  processed: number;
  deadLettersByReason: Record<string, number>;
}

export function pointOf(at: number, text: string): MetricsPoint {
  const samples = parsePrometheus(text);
  return {
    at,
    lag: sumBy(samples, 'cie_kafka_consumer_lag').get('') ?? 0,
    processed: sumBy(samples, 'cie_exchange_events_processed_total').get('') ?? 0,
    deadLettersByReason: Object.fromEntries(sumBy(samples, 'cie_dead_letters_total', 'reason')),
  };
}

/** Events per second between consecutive points; a counter reset (restart) counts from zero. */
export function throughput(points: readonly MetricsPoint[]): { at: number; value: number }[] {
  const out: { at: number; value: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const seconds = (b.at - a.at) / 1000;
    if (seconds <= 0) continue;
    const delta = b.processed >= a.processed ? b.processed - a.processed : b.processed;
    out.push({ at: b.at, value: delta / seconds });
  }
  return out;
}
