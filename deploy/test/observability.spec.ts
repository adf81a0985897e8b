import fs from 'node:fs';
import path from 'node:path';
import { appServices, type AppService, consoleService, readYamlDocuments, ROOT } from './support.js';

const yamlFile = <T>(file: string): T =>
  readYamlDocuments(fs.readFileSync(path.join(ROOT, file), 'utf8'))[0] as T;

// The metrics the services expose (issue 6), each of which the dashboard must show.
const METRICS = [
  'cie_records_received_total',
  'cie_records_accepted_total',
  'cie_records_refused_total',
  'cie_exchange_events_processed_total',
  'cie_routing_decisions_total',
  'cie_feed_deliveries_total',
  'cie_dead_letters_total',
  'cie_kafka_consumer_lag',
  'cie_disputes_open',
  'cie_disputes_overdue',
  'cie_deletion_acks_outstanding',
  'cie_deletion_ack_oldest_age_seconds',
  'http_request_duration_seconds_bucket',
  'process_resident_memory_bytes',
];

let services: AppService[];
beforeAll(async () => {
  services = [...(await appServices()), await consoleService()];
});

describe('Prometheus (Compose)', () => {
  it("scrapes every service's /metrics on its port, the console's too", () => {
    const config = yamlFile<{
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        static_configs: { targets: string[]; labels: { service: string } }[];
      }[];
    }>('deploy/compose/prometheus.yml');
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) =>
        c.targets.map((t) => ({
          target: t,
          service: c.labels.service,
          path: job.metrics_path ?? '/metrics',
        })),
      ),
    );
    for (const s of services)
      expect(targets).toContainEqual({ target: `${s.name}:${s.port}`, service: s.name, path: '/metrics' });
  });
});

describe('OpenTelemetry collector (Compose)', () => {
  it('receives OTLP/HTTP on 4318 and exports traces to Jaeger', () => {
    const config = yamlFile<{
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    }>('deploy/compose/otel-collector.yaml');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.service.pipelines.traces.receivers).toContain('otlp');
    expect(config.service.pipelines.traces.exporters).toContain('otlp/jaeger');
    expect(config.exporters['otlp/jaeger']?.endpoint).toBe('jaeger:4317');
  });
});

describe('Grafana (Compose)', () => {
  const datasources = yamlFile<{ datasources: { uid: string; type: string; url: string }[] }>(
    'deploy/compose/grafana/provisioning/datasources/datasources.yaml',
  ).datasources;
  const dashboard = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'deploy/compose/grafana/dashboards/credit-exchange.json'), 'utf8'),
  ) as {
    uid: string;
    panels: {
      type: string;
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string; datasource: { uid: string } }[];
    }[];
    templating: { list: { name: string }[] };
  };

  it('provisions Prometheus and Jaeger as data sources', () => {
    expect(datasources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
        expect.objectContaining({ uid: 'jaeger', type: 'jaeger', url: 'http://jaeger:16686' }),
      ]),
    );
  });

  it('shows every metric, per sector and per subscriber, from a provisioned data source', () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    for (const metric of METRICS)
      expect({ metric, shown: exprs.some((e) => e.includes(metric)) }).toEqual({ metric, shown: true });
    const uids = new Set(datasources.map((d) => d.uid));
    for (const p of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(uids.has(p.datasource?.uid ?? '')).toBe(true);
      for (const t of p.targets ?? []) expect(uids.has(t.datasource.uid)).toBe(true);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['sector', 'subscriber']);
    expect(exprs.some((e) => e.includes('sum by (sector'))).toBe(true);
    expect(exprs.some((e) => e.includes('sum by (subscriber'))).toBe(true);
  });
});
