import fs from 'node:fs';
import path from 'node:path';
import { type ComposeFile, type ComposeService, validateCompose } from './compose.js';
import {
  appServices,
  type AppService,
  configVariables,
  consoleService,
  isPlatformVariable,
  readYamlDocuments,
  ROOT,
} from './support.js';

const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');
const text = read('docker-compose.yml');
const compose = readYamlDocuments(text)[0] as ComposeFile;

let services: AppService[];
let consoleApp: AppService;
beforeAll(async () => {
  services = await appServices();
  consoleApp = await consoleService();
});

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** Host side of a `./host:/container[:ro]` bind mount, or undefined for a named volume. */
function bind(volume: string): { host: string; container: string } | undefined {
  const [host, container] = volume.split(':');
  return host?.startsWith('./') && container ? { host: host.slice(2), container } : undefined;
}

describe('docker-compose.yml', () => {
  it('is valid against the compose-spec schema', () => {
    expect(() => validateCompose(compose)).not.toThrow();
  });

  it('runs Kafka 3.9.1 (KRaft), PostgreSQL, the collector, Jaeger, Prometheus and Grafana', () => {
    expect(service('kafka').image).toBe('apache/kafka:3.9.1');
    expect(service('kafka').environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(service('postgres').image).toMatch(/^postgres:\d+/);
    expect(service('otel-collector').image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    expect(service('jaeger').image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    expect(service('jaeger').environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(service('prometheus').image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(service('grafana').image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
  });

  it('builds every service from the one Dockerfile with its SERVICE and PORT', () => {
    const built = new Set<string>();
    for (const s of services) {
      const c = service(s.name);
      expect(c.image).toBe(`cie/${s.service}:local`);
      if (c.build) {
        expect(c.build).toMatchObject({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
        expect(c.build.args).toEqual({ SERVICE: s.service, PORT: s.port });
        built.add(s.service);
      }
      expect(c.ports).toEqual([`${s.port}:${s.port}`]);
      expect(c).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
    }
    // Every image is built by at least one service (the second platform reuses the first one's).
    expect([...built].sort()).toEqual([...new Set(services.map((s) => s.service))].sort());
  });

  it("sets only variables the service's configuration class (or OpenTelemetry) reads, and every required one", () => {
    for (const s of services) {
      const env = service(s.name).environment ?? {};
      const config = configVariables(s.service);
      const unknown = Object.keys(env).filter((v) => !config.all.has(v) && !isPlatformVariable(v));
      expect({ service: s.name, unknown }).toEqual({ service: s.name, unknown: [] });
      const unsetDemoFiles = [...config.demoFiles].filter((v) => !(v in env));
      expect({ service: s.name, unsetDemoFiles }).toEqual({ service: s.name, unsetDemoFiles: [] });
      const missing = [...config.required].filter((v) => !(v in env));
      expect({ service: s.name, missing }).toEqual({ service: s.name, missing: [] });
      expect(env).toMatchObject({
        PORT: s.port,
        OTEL_SERVICE_NAME: s.name,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        OTEL_TRACES_EXPORTER: 'otlp',
        ...s.env,
      });
      // External Kafka with TLS and SASL, and external PostgreSQL, by environment.
      for (const v of [
        'KAFKA_BROKERS',
        'KAFKA_SSL',
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'DATABASE_URL',
      ])
        expect(String(env[v])).toMatch(new RegExp(`^\\$\\{${v}:-`));
    }
  });

  it('takes the exchange secrets from the environment, with no published default, and says DEMO_MODE', () => {
    const env = service('exchange').environment ?? {};
    for (const secret of ['PSEUDONYM_SECRET', 'PII_ENCRYPTION_KEY'])
      expect(String(env[secret])).toMatch(new RegExp(`^\\$\\{${secret}:\\?.*${secret}`));
    // The mounted keys files are the public demo ones: every service is told it runs a demo.
    for (const s of services) expect(service(s.name).environment?.DEMO_MODE).toBe('${DEMO_MODE:-1}');
  });

  it('mounts, read-only, an existing file for every *_FILE variable', () => {
    for (const s of services) {
      const c = service(s.name);
      for (const [name, value] of Object.entries(c.environment ?? {})) {
        if (!name.endsWith('_FILE') || name === 'KAFKA_SSL_CA_FILE') continue;
        const mount = (c.volumes ?? []).map(bind).find((m) => m?.container === value);
        expect({ service: s.name, name, mounted: mount !== undefined }).toEqual({
          service: s.name,
          name,
          mounted: true,
        });
        expect(fs.existsSync(path.join(ROOT, mount!.host))).toBe(true);
        expect(c.volumes?.find((v) => v.startsWith(`./${mount!.host}:`))).toMatch(/:ro$/);
      }
    }
  });

  it('mounts observability configuration files that exist', () => {
    for (const name of ['otel-collector', 'prometheus', 'grafana'])
      for (const volume of service(name).volumes ?? []) {
        const mount = bind(volume);
        if (mount)
          expect({ name, file: mount.host, exists: fs.existsSync(path.join(ROOT, mount.host)) }).toEqual({
            name,
            file: mount.host,
            exists: true,
          });
      }
  });
});

describe('the console in docker-compose.yml', () => {
  it('is built from the one Dockerfile and runs read-only without capabilities, on its port', () => {
    const c = service(consoleApp.name);
    expect(c.image).toBe('cie/console:local');
    expect(c.build).toMatchObject({ context: '.', dockerfile: 'deploy/docker/Dockerfile' });
    expect(c.build?.args).toEqual({ SERVICE: 'console', PORT: consoleApp.port });
    expect(c.ports).toEqual([`${consoleApp.port}:${consoleApp.port}`]);
    expect(c).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
  });

  it('sets only variables ConsoleConfig (or OpenTelemetry) reads, and points each API URL at its service', () => {
    const env = service(consoleApp.name).environment ?? {};
    const config = configVariables('console');
    expect(Object.keys(env).filter((v) => !config.all.has(v) && !isPlatformVariable(v))).toEqual([]);
    expect(env).toMatchObject({ PORT: consoleApp.port, OTEL_SERVICE_NAME: 'console' });
    const urlOf: Record<string, string> = {
      exchange: 'EXCHANGE_URL',
      tax: 'TAX_URL',
      procurement: 'PROCUREMENT_URL',
      courts: 'COURTS_URL',
      ecommerce: 'ECOMMERCE_URL',
    };
    for (const [name, variable] of Object.entries(urlOf)) {
      const target = services.find((s) => s.name === name)!;
      expect({ variable, value: env[variable] }).toEqual({
        variable,
        value: `http://${target.name}:${target.port}`,
      });
      expect(Object.keys(service(consoleApp.name).depends_on ?? {})).toContain(name);
    }
    // Neither Kafka nor PostgreSQL: the console only calls the APIs.
    expect(Object.keys(service(consoleApp.name).depends_on ?? {})).not.toContain('kafka');
  });
});

describe('the compose-spec schema validator', () => {
  it('rejects an unknown service key (a typo)', () => {
    const broken = structuredClone(compose);
    (broken.services.tax as Record<string, unknown>).enviroment = { PORT: 3001 };
    expect(() => validateCompose(broken)).toThrow(/\/services\/tax must NOT have additional properties/);
  });

  it('rejects a wrongly typed field', () => {
    const broken = structuredClone(compose);
    (broken.services.exchange as Record<string, unknown>).ports = 3000;
    expect(() => validateCompose(broken)).toThrow(/\/services\/exchange\/ports must be array/);
  });

  it('rejects a depends_on condition that does not exist', () => {
    const broken = structuredClone(compose);
    broken.services.tax!.depends_on = { kafka: { condition: 'service_ready' } };
    expect(() => validateCompose(broken)).toThrow(/condition must be equal to one of the allowed values/);
  });
});
