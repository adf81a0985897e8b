import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import {
  type AddressInfo,
  createServer as createTcpServer,
  connect,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import { FeedEventSchema, Topics } from '@cie/contracts';
import {
  expectEventually,
  readFeed,
  signedSubmission,
  testDatabaseUrl,
  testKafka,
  testKafkaBrokers,
} from '@cie/testing';
import {
  ExchangeProcess,
  exchangeEnv,
  REPO_ROOT,
  sectorServiceProcess,
  type ServiceProcess,
} from './exchange-process.js';

/**
 * Issue 6's observability, end to end on the real broker and database: one trace from an agency's
 * HTTP request (and from a submission-topic message) through the courts service, Kafka and the
 * exchange to the feed message; the metrics both services expose after that traffic; and logs
 * without a clear resident id or agency key. The services are real child processes exporting spans
 * by OTLP/HTTP to a receiver this test runs, configured only by the standard OTEL_* variables.
 */

const run = randomUUID().slice(0, 8);
const kafka = testKafka(`obs-it-${run}`);
const AGENCY_KEY = 'demo-key-court-sh-pudong';
const RESIDENT_ID = '310115198001010016';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
}

/** An OTLP/HTTP (JSON) trace receiver: what a collector would get. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') this.collect(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  private collect(body: string): void {
    interface Otlp {
      resourceSpans?: {
        resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
        scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
      }[];
    }
    const request = JSON.parse(body) as Otlp;
    for (const rs of request.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? [])
          this.spans.push({
            service,
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: s.parentSpanId ? hex(s.parentSpanId) : '',
            name: s.name,
          });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** OTLP/JSON ids are hex in the JS exporter; base64 in some others. */
const hex = (id: string) =>
  /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');

const otelEnv = (receiver: OtlpReceiver) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_BSP_SCHEDULE_DELAY: '200',
  LOG_FORMAT: 'json',
});

function debtor(sourceRecordId: string) {
  return {
    recordType: 'courts.dishonest_debtor',
    sourceRecordId,
    decisionNumber: '(2025)沪0115执5501号',
    decidingAuthority: '上海市浦东新区人民法院',
    decisionDate: '2025-09-18',
    subject: { kind: 'natural_person', idNumber: RESIDENT_ID, name: '李四' },
    obligation: '支付货款',
    performanceStatus: 'not_performed',
    outstandingAmount: '125000.00',
  };
}

const newTraceId = () => randomBytes(16).toString('hex');
const traceparent = (traceId: string) => `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
const traceIdOf = (header: string | undefined) => header?.split('-')[1];

async function feedMessageOf(subscriber: string, sourceRecordId: string) {
  const messages = await readFeed(kafka, subscriber, {
    until: (read) =>
      read.some(
        (m) => fromBinary(FeedEventSchema, m.value).record?.source?.sourceRecordId === sourceRecordId,
      ),
    timeoutMs: 60_000,
  });
  return messages.find(
    (m) => fromBinary(FeedEventSchema, m.value).record?.source?.sourceRecordId === sourceRecordId,
  );
}

/** One sample's value from a Prometheus text exposition, by metric name and labels (subset). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`)))
      return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('observability: traces, metrics, logs (courts service and exchange, real Kafka and PostgreSQL)', () => {
  const receiver = new OtlpReceiver();
  let courts: ServiceProcess;
  let exchange: ExchangeProcess;

  beforeAll(async () => {
    await receiver.start();
    courts = sectorServiceProcess('courts', {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: testDatabaseUrl(),
      PORT: '28103',
      AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`,
      ...otelEnv(receiver),
    });
    exchange = new ExchangeProcess(
      exchangeEnv({
        KAFKA_CONSUMER_GROUP: `exchange-obs-${run}`,
        EXCHANGE_INSTANCE_ID: `exchange-obs-${run}`,
        PORT: '28180',
        ...otelEnv(receiver),
      }),
    );
    await Promise.all([courts.start(), exchange.start()]);
  });

  afterAll(async () => {
    await Promise.all([courts?.stop(), exchange?.stop()]);
    await receiver.stop();
  });

  it('given an agency request with a traceparent, then the courts service, the exchange and the feed message share its trace id', async () => {
    const traceId = newTraceId();
    const sourceRecordId = `OBS-HTTP-${run}`;
    const response = await fetch(`${courts.url}/v1/records`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${AGENCY_KEY}`,
        'content-type': 'application/json',
        traceparent: traceparent(traceId),
      },
      body: JSON.stringify(debtor(sourceRecordId)),
    });
    expect(response.status).toBe(202);

    const feed = await feedMessageOf('shanghai-platform', sourceRecordId);
    expect(traceIdOf(feed?.headers['traceparent'])).toBe(traceId);

    await expectEventually(
      () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const names = spans.map((s) => `${s.service}: ${s.name}`);
        expect(names).toEqual(
          expect.arrayContaining([
            'courts: POST /v1/records',
            'courts: credit.courts.events.v1 publish',
            'exchange: credit.courts.events.v1 process',
            'exchange: exchange store and route',
            'exchange: exchange publish and commit',
          ]),
        );
        // The feed message names the exchange's processing span as its parent.
        const process = spans.find((s) => s.name === 'credit.courts.events.v1 process');
        expect(feed?.headers['traceparent']).toContain(process!.spanId);
        // And that span is a child of the courts service's publish span.
        const publish = spans.find((s) => s.name === 'credit.courts.events.v1 publish');
        expect(process!.parentSpanId).toBe(publish!.spanId);
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  });

  it('given a submission on the agency topic with a traceparent, then its feed message continues that trace', async () => {
    const traceId = newTraceId();
    const sourceRecordId = `OBS-TOPIC-${run}`;
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'agency.courts.submissions.v1',
        messages: [
          {
            key: 'court-sh-pudong',
            ...signedSubmission(
              'agency.courts.submissions.v1',
              AGENCY_KEY,
              sourceRecordId,
              JSON.stringify(debtor(sourceRecordId)),
              { traceparent: traceparent(traceId) },
            ),
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const feed = await feedMessageOf('public-portal', sourceRecordId);
    expect(traceIdOf(feed?.headers['traceparent'])).toBe(traceId);
    await expectEventually(
      () => {
        const names = receiver.spans
          .filter((s) => s.traceId === traceId)
          .map((s) => `${s.service}: ${s.name}`);
        expect(names).toEqual(
          expect.arrayContaining([
            'courts: agency.courts.submissions.v1 process',
            'exchange: credit.courts.events.v1 process',
          ]),
        );
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  });

  it('after that traffic (and a refused record and an unreadable event), each service exposes its metrics on /metrics', async () => {
    const refused = await fetch(`${courts.url}/v1/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${AGENCY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...debtor(`OBS-BAD-${run}`), outstandingAmount: 'a lot' }),
    });
    expect(refused.status).toBe(422);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topics.sectorEvents('courts'),
        messages: [{ key: `obs-${run}`, value: 'not protobuf' }],
      });
    } finally {
      await producer.disconnect();
    }

    const courtsText = await (await fetch(`${courts.url}/metrics`)).text();
    expect(
      sample(courtsText, 'cie_records_received_total', { sector: 'courts', channel: 'http' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(courtsText, 'cie_records_received_total', { sector: 'courts', channel: 'topic' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(courtsText, 'cie_records_accepted_total', {
        sector: 'courts',
        record_type: 'courts.dishonest_debtor',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(courtsText, 'cie_records_refused_total', { sector: 'courts', reason: 'invalid' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(courtsText, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/records',
        status_code: '202',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(courtsText, 'cie_kafka_consumer_lag', {
        group: 'courts-submissions',
        topic: 'agency.courts.submissions.v1',
      }),
    ).toBeDefined();
    expect(courtsText).toContain('process_cpu_user_seconds_total');

    await expectEventually(
      async () => {
        const text = await (await fetch(`${exchange.url}/metrics`)).text();
        expect(
          sample(text, 'cie_exchange_events_processed_total', { sector: 'courts', outcome: 'stored' }),
        ).toBeGreaterThanOrEqual(2);
        expect(
          sample(text, 'cie_routing_decisions_total', {
            subscriber: 'shanghai-platform',
            decision: 'allowed',
          }),
        ).toBeGreaterThanOrEqual(2);
        expect(
          sample(text, 'cie_routing_decisions_total', { subscriber: 'beijing-platform', decision: 'denied' }),
        ).toBeGreaterThanOrEqual(2);
        expect(
          sample(text, 'cie_feed_deliveries_total', {
            subscriber: 'public-portal',
            type: 'credit.record.published',
          }),
        ).toBeGreaterThanOrEqual(2);
        expect(
          sample(text, 'cie_dead_letters_total', {
            topic: 'credit.courts.events.v1',
            reason: 'invalid_envelope',
          }),
        ).toBeGreaterThanOrEqual(1);
        expect(
          sample(text, 'cie_kafka_consumer_lag', {
            group: `exchange-obs-${run}`,
            topic: 'credit.courts.events.v1',
          }),
        ).toBeDefined();
        expect(
          sample(text, 'http_request_duration_seconds_count', { route: '/health/ready', status_code: '200' }),
        ).toBeGreaterThanOrEqual(1);
        expect(text).toContain('nodejs_eventloop_lag_seconds');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  it('given a request with a traceparent, then its log line is JSON under that trace id, with the agency key and the resident id in its URL redacted', async () => {
    const traceId = newTraceId();
    const response = await fetch(`${courts.url}/v1/records/OBS-${RESIDENT_ID}?subject=${RESIDENT_ID}`, {
      headers: { authorization: `Bearer ${AGENCY_KEY}`, traceparent: traceparent(traceId) },
    });
    expect(response.status).toBe(404);
    await expectEventually(
      () => {
        const line = courts.output
          .join('')
          .split('\n')
          .find((l) => l.includes(traceId));
        expect(line).toBeDefined();
        const entry = JSON.parse(line!) as {
          trace_id?: string;
          span_id?: string;
          msg?: string;
          req?: { url?: string; headers?: Record<string, string> };
          res?: { statusCode?: number };
        };
        expect(entry).toEqual(
          expect.objectContaining({
            service: 'courts',
            level: 'info',
            msg: 'request completed',
            trace_id: traceId,
            span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
            res: expect.objectContaining({ statusCode: 404 }),
          }),
        );
        expect(entry.req?.headers?.['authorization']).toBe('[redacted]');
        expect(entry.req?.url).toBe('/v1/records/OBS-[redacted]?subject=[redacted]');
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
  });

  it('their logs are JSON lines with service and version, and carry no clear resident id or agency key; SIGTERM stops them cleanly', async () => {
    const courtsCode = await courts.stop();
    await exchange.stop();
    expect(courtsCode).toBe(0);
    // Each service names its own package's version (under Jest it once logged Jest's).
    const versions = {
      courts: packageVersion('../../courts/package.json'),
      exchange: packageVersion('../package.json'),
    };
    for (const [service, output] of [
      ['courts', courts.output.join('')],
      ['exchange', exchange.output.join('')],
    ] as const) {
      expect(output).not.toContain(RESIDENT_ID);
      expect(output).not.toContain(AGENCY_KEY);
      const lines = output.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        expect(entry).toEqual(
          expect.objectContaining({ service, version: versions[service], level: expect.any(String) }),
        );
      }
      expect(output).toContain('"msg":"stopped"');
    }
  });
});

/** A TCP proxy the test can cut: the service behind it loses its database without anything else stopping. */
class TcpProxy {
  private server?: TcpServer;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createTcpServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe('readiness follows PostgreSQL (courts service behind a proxy that the test cuts)', () => {
  const database = new URL(testDatabaseUrl());
  const proxy = new TcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
  let courts: ServiceProcess;

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(database);
    viaProxy.port = String(proxy.port);
    courts = sectorServiceProcess('courts', {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: viaProxy.toString(),
      PORT: '28104',
      AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`,
      LOG_FORMAT: 'json',
    });
    await courts.start();
  });

  afterAll(async () => {
    await courts?.stop();
    await proxy.stop();
  });

  const ready = async () => {
    const response = await fetch(`${courts.url}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { checks: Record<string, { status: string }> },
    };
  };

  it('is 503 naming postgres while the database is unreachable, 200 again once it is back, and live throughout', async () => {
    expect((await ready()).status).toBe(200);
    await proxy.stop();
    await expectEventually(
      async () => {
        const { status, body } = await ready();
        expect(status).toBe(503);
        expect(body.checks['postgres']?.status).toBe('down');
        expect(body.checks['kafka']?.status).toBe('up');
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect((await fetch(`${courts.url}/health/live`)).status).toBe(200);
    await proxy.start();
    await expectEventually(async () => expect((await ready()).status).toBe(200), {
      timeoutMs: 20_000,
      intervalMs: 500,
    });
    expect(await courts.stop()).toBe(0);
  });
});

function packageVersion(relative: string): string {
  const file = new URL(relative, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
