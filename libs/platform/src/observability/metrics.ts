import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isRefusalCode, refusalCodeOf } from '../refusals.js';

/**
 * Every metric the services expose on `GET /metrics`, in one registry. The names are a contract with
 * the Grafana dashboard: change them only together. Labels are bounded sets (sector, channel,
 * record type, subscriber, reason codes, topic/partition): never a record, event or subject id.
 */
export const metricsRegistry = new Registry();

export const cieMetrics = {
  recordsReceived: new Counter({
    name: 'cie_records_received_total',
    help: 'Records an agency submitted to a sector service (past authentication and rate limits), by channel (http, bulk, topic)',
    labelNames: ['sector', 'channel'] as const,
    registers: [metricsRegistry],
  }),
  recordsAccepted: new Counter({
    name: 'cie_records_accepted_total',
    help: 'Records published to the sector topic and acknowledged by Kafka (new records, corrections, withdrawals)',
    labelNames: ['sector', 'record_type'] as const,
    registers: [metricsRegistry],
  }),
  recordsRefused: new Counter({
    name: 'cie_records_refused_total',
    help: 'Records or requests a sector service refused, by reason (invalid, malformed, conflict, forbidden, unauthenticated, rate_limited, too_large, not_found, broker_unavailable)',
    labelNames: ['sector', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  eventsProcessed: new Counter({
    name: 'cie_exchange_events_processed_total',
    help: 'Sector events the exchange processed and committed, by outcome (stored, dead_lettered, ignored_duplicate)',
    labelNames: ['sector', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  routingDecisions: new Counter({
    name: 'cie_routing_decisions_total',
    help: 'Routing decisions of the exchange per subscriber (allowed, denied)',
    labelNames: ['subscriber', 'decision'] as const,
    registers: [metricsRegistry],
  }),
  feedDeliveries: new Counter({
    name: 'cie_feed_deliveries_total',
    help: 'Feed messages committed to a subscriber feed, by CloudEvents type',
    labelNames: ['subscriber', 'type'] as const,
    registers: [metricsRegistry],
  }),
  deadLetters: new Counter({
    name: 'cie_dead_letters_total',
    help: 'Messages committed to a dead-letter topic, by source topic and reason code',
    labelNames: ['topic', 'reason'] as const,
    registers: [metricsRegistry],
  }),
  isolatedMessages: new Counter({
    name: 'cie_consumer_isolated_messages_total',
    help: 'Messages a consumer set aside because handling them failed with a non-transient error (the rest of their batch went on), by consumer, source topic and refusal code',
    labelNames: ['consumer', 'topic', 'code'] as const,
    registers: [metricsRegistry],
  }),
  consumerLag: new Gauge({
    name: 'cie_kafka_consumer_lag',
    help: 'Messages between the last message a consumer group processed and the end of the partition, after its last batch',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [metricsRegistry],
  }),
  httpRequestDuration: new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
};

let defaultsCollected = false;
/** Node process metrics (CPU, memory, event loop lag, GC, handles); once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

export interface GaugeDefinition<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /**
   * Called on every scrape to set the gauge's values (e.g. from a database query). Reset first if
   * label sets can disappear. Keep it cheap and bounded: it runs every scrape interval.
   */
  collect?: (gauge: Gauge<L>) => Promise<void> | void;
}

/**
 * A gauge on the services' registry, e.g. the lifecycle's
 * `registerGauge({ name: 'cie_disputes_open', help: '…', labelNames: ['sector'], collect: async (g) => { … g.set({ sector }, n) } })`.
 * Registering a name again replaces the earlier gauge (an app created twice in one process, as
 * tests do, gets its own collect callback, not a closed one's).
 */
export function registerGauge<L extends string = string>(definition: GaugeDefinition<L>): Gauge<L> {
  if (metricsRegistry.getSingleMetric(definition.name)) metricsRegistry.removeSingleMetric(definition.name);
  const { collect } = definition;
  return new Gauge<L>({
    name: definition.name,
    help: definition.help,
    labelNames: definition.labelNames ?? [],
    registers: [metricsRegistry],
    ...(collect
      ? {
          async collect(this: Gauge<L>) {
            await collect(this);
          },
        }
      : {}),
  });
}

/**
 * The bounded reason code of a dead letter: its `dlq_code` header when given the headers and they
 * have one, else the code of its free-text reason (dead letters written before `dlq_code` existed).
 */
export function deadLetterReasonCode(reason: string | Readonly<Record<string, string | undefined>>): string {
  if (typeof reason === 'string') return refusalCodeOf(reason);
  const code = reason['dlq_code'];
  return isRefusalCode(code) ? code : refusalCodeOf(reason['dlq_reason'] ?? '');
}
