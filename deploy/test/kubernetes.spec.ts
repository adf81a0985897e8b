import {
  appServices,
  type AppService,
  configVariables,
  consoleService,
  kustomizeBuild,
  isPlatformVariable,
  SECRET_VARIABLES,
} from './support.js';
import { isWorkload, type Manifest, validateManifest, type Workload } from './kubernetes.js';

const BUILDS = ['deploy/k8s/base', 'deploy/k8s/overlays/local', 'deploy/k8s/overlays/production'];

let services: AppService[];
let consoleApp: AppService;
const built = new Map<string, Manifest[]>();

beforeAll(async () => {
  services = await appServices();
  consoleApp = await consoleService();
  for (const dir of BUILDS)
    built.set(
      dir,
      kustomizeBuild(dir).map((doc) => validateManifest(doc)),
    );
});

function manifests(dir: string): Manifest[] {
  const docs = built.get(dir);
  if (!docs) throw new Error(`${dir} was not built`);
  return docs;
}

function workload(docs: Manifest[], name: string): Workload {
  const found = docs.find((d): d is Workload => isWorkload(d) && d.metadata.name === name);
  if (!found) throw new Error(`no Deployment or StatefulSet ${name}`);
  return found;
}

/** Every variable a container gets: its env, and the keys of the ConfigMaps it takes whole. */
function environment(docs: Manifest[], w: Workload): Map<string, { literal: boolean }> {
  const container = w.spec.template.spec.containers[0]!;
  const vars = new Map<string, { literal: boolean }>();
  for (const from of container.envFrom ?? []) {
    if (from.secretRef) continue;
    const configMap = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === from.configMapRef?.name);
    if (!configMap)
      throw new Error(`${w.metadata.name}: ConfigMap ${from.configMapRef?.name} is not in the build`);
    for (const key of Object.keys((configMap as { data?: Record<string, string> }).data ?? {}))
      vars.set(key, { literal: true });
  }
  for (const e of container.env ?? []) vars.set(e.name, { literal: e.value !== undefined });
  return vars;
}

describe.each(BUILDS)('kustomize build %s', (dir) => {
  it('builds, and every manifest is valid against the Kubernetes schema of its kind', () => {
    // validateManifest ran on every document in beforeAll; here the build must not be empty.
    expect(manifests(dir).length).toBeGreaterThan(20);
  });

  it('has a workload, a Service and a NetworkPolicy for every service', () => {
    const docs = manifests(dir);
    for (const s of services) {
      const w = workload(docs, s.name);
      const container = w.spec.template.spec.containers[0]!;
      expect(container.image).toMatch(new RegExp(`(^|/)(cie/)?${s.service}(:|$)`));
      expect(container.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: s.port })]);
      const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === s.name) as
        | (Manifest & {
            spec: { selector: Record<string, string>; ports: { port: number; targetPort: unknown }[] };
          })
        | undefined;
      expect(service?.spec.ports).toEqual([expect.objectContaining({ port: s.port, targetPort: 'http' })]);
      for (const [label, value] of Object.entries(service?.spec.selector ?? {}))
        expect(w.spec.template.metadata.labels[label]).toBe(value);
      const policy = docs.find(
        (d) =>
          d.kind === 'NetworkPolicy' &&
          (d as Manifest & { spec: { podSelector: { matchLabels?: Record<string, string> } } }).spec
            .podSelector.matchLabels?.['app.kubernetes.io/name'] === s.name,
      );
      expect(policy).toBeDefined();
    }
  });

  it('gives every workload probes, resources and a non-root, read-only, capability-free security context', () => {
    for (const w of manifests(dir).filter(isWorkload)) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
        expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(c.resources?.limits?.memory).toBeDefined();
        expect(c.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext?.capabilities?.add).toBeUndefined();
      }
    }
  });

  it("sets only variables the service's configuration class (or OpenTelemetry) reads, and every required one", () => {
    const docs = manifests(dir);
    for (const s of services) {
      const config = configVariables(s.service);
      const vars = environment(docs, workload(docs, s.name));
      const unknown = [...vars.keys()].filter((v) => !config.all.has(v) && !isPlatformVariable(v));
      expect({ service: s.name, unknown }).toEqual({ service: s.name, unknown: [] });
      const unsetDemoFiles = [...config.demoFiles].filter((v) => !vars.has(v));
      expect({ service: s.name, unsetDemoFiles }).toEqual({ service: s.name, unsetDemoFiles: [] });
      for (const required of config.required)
        expect({ service: s.name, has: required, set: vars.has(required) }).toEqual({
          service: s.name,
          has: required,
          set: true,
        });
      const container = workload(docs, s.name).spec.template.spec.containers[0]!;
      const values = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      expect(values).toMatchObject({ PORT: String(s.port), OTEL_SERVICE_NAME: s.name, ...s.env });
      for (const otel of ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_TRACES_EXPORTER'])
        expect({ service: s.name, otel, set: vars.has(otel) }).toEqual({ service: s.name, otel, set: true });
      for (const secret of SECRET_VARIABLES)
        expect({ service: s.name, secret, literal: vars.get(secret)?.literal ?? false }).toEqual({
          service: s.name,
          secret,
          literal: false,
        });
    }
  });

  it('mounts the file every *_FILE variable names', () => {
    const docs = manifests(dir);
    for (const s of services) {
      const w = workload(docs, s.name);
      const container = w.spec.template.spec.containers[0]!;
      const literals = new Map<string, string>();
      for (const from of container.envFrom ?? []) {
        const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === from.configMapRef?.name);
        for (const [k, v] of Object.entries(
          (cm as { data?: Record<string, string> } | undefined)?.data ?? {},
        ))
          literals.set(k, v);
      }
      for (const e of container.env ?? []) if (e.value !== undefined) literals.set(e.name, e.value);
      for (const [name, file] of literals) {
        if (!name.endsWith('_FILE')) continue;
        const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        expect({ service: s.name, name, file, mounted: mount !== undefined }).toEqual({
          service: s.name,
          name,
          file,
          mounted: true,
        });
      }
    }
  });

  it('scales the exchange with a HorizontalPodAutoscaler and protects it with a PodDisruptionBudget', () => {
    const docs = manifests(dir);
    const exchange = workload(docs, 'exchange');
    const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler') as
      | (Manifest & {
          spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
        })
      | undefined;
    expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: exchange.kind, name: 'exchange' });
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(1);
    const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget') as
      (Manifest & { spec: { selector: { matchLabels: Record<string, string> } } }) | undefined;
    for (const [label, value] of Object.entries(pdb?.spec.selector.matchLabels ?? { missing: 'pdb' }))
      expect(exchange.spec.template.metadata.labels[label]).toBe(value);
    // Each instance's stable pod name is its EXCHANGE_INSTANCE_ID (its name in the audit log).
    const id = exchange.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'EXCHANGE_INSTANCE_ID');
    expect(exchange.kind).toBe('StatefulSet');
    expect(id?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
  });

  it('denies all traffic by default and lets each service reach only DNS, Kafka, PostgreSQL and the collector', () => {
    const docs = manifests(dir);
    type Rule = { to?: unknown[]; from?: unknown[]; ports?: { port: number; protocol: string }[] };
    type Policy = Manifest & {
      spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: string[];
        ingress?: Rule[];
        egress?: Rule[];
      };
    };
    const policies = docs.filter((d): d is Policy => d.kind === 'NetworkPolicy');
    const deny = policies.find((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const s of services) {
      const policy = policies.find(
        (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === s.name,
      )!;
      const egressPorts = (policy.spec.egress ?? [])
        .flatMap((r) => (r.ports ?? []).map((p) => p.port))
        .sort((a, b) => a - b);
      expect({ service: s.name, egressPorts }).toEqual({
        service: s.name,
        egressPorts: [53, 53, 4318, 5432, 9092, 9093, 9094, 9096],
      });
      // No rule without ports: nothing is open on every port.
      for (const rule of [...(policy.spec.egress ?? []), ...(policy.spec.ingress ?? [])])
        expect(rule.ports?.length).toBeGreaterThan(0);
      const ingress = policy.spec.ingress ?? [];
      expect(ingress.every((r) => r.ports?.every((p) => p.port === s.port))).toBe(true);
      // Agencies (sector services) and API clients (exchange) come from anywhere; a platform only gets scrapes.
      const open = ingress.some((r) => r.from === undefined);
      expect({ service: s.name, open }).toEqual({ service: s.name, open: s.service !== 'regional-platform' });
    }
  });
});

describe.each(BUILDS)('the console in kustomize build %s', (dir) => {
  type Rule = {
    to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
    ports?: { port: number }[];
  };
  type Policy = Manifest & {
    spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: Rule[]; egress?: Rule[] };
  };

  it('runs one replica (sessions are in its memory) with its port, Service and image', () => {
    const docs = manifests(dir);
    const w = workload(docs, consoleApp.name) as Workload & { spec: { replicas?: number } };
    expect(w.kind).toBe('Deployment');
    expect(w.spec.replicas).toBe(1);
    const container = w.spec.template.spec.containers[0]!;
    expect(container.image).toMatch(/(^|\/)(cie\/)?console(:|$)/);
    expect(container.ports).toEqual([
      expect.objectContaining({ name: 'http', containerPort: consoleApp.port }),
    ]);
    const service = docs.find((d) => d.kind === 'Service' && d.metadata.name === consoleApp.name) as
      (Manifest & { spec: { ports: { port: number; targetPort: unknown }[] } }) | undefined;
    expect(service?.spec.ports).toEqual([
      expect.objectContaining({ port: consoleApp.port, targetPort: 'http' }),
    ]);
  });

  it('sets only ConsoleConfig (or OpenTelemetry) variables, each API URL to the Service of that name and port', () => {
    const docs = manifests(dir);
    const vars = environment(docs, workload(docs, consoleApp.name));
    const config = configVariables('console');
    expect([...vars.keys()].filter((v) => !config.all.has(v) && !isPlatformVariable(v))).toEqual([]);
    const container = workload(docs, consoleApp.name).spec.template.spec.containers[0]!;
    const values = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(values).toMatchObject({ PORT: String(consoleApp.port), OTEL_SERVICE_NAME: 'console' });
    for (const [name, variable] of [
      ['exchange', 'EXCHANGE_URL'],
      ['tax', 'TAX_URL'],
      ['procurement', 'PROCUREMENT_URL'],
      ['courts', 'COURTS_URL'],
      ['ecommerce', 'ECOMMERCE_URL'],
    ] as const) {
      const target = services.find((s) => s.name === name)!;
      expect(docs.some((d) => d.kind === 'Service' && d.metadata.name === name)).toBe(true);
      expect({ variable, value: values[variable] }).toEqual({
        variable,
        value: `http://${target.name}:${target.port}`,
      });
    }
    // Secure cookies wherever TLS is expected; plain HTTP only on the local overlay.
    expect(values['COOKIE_SECURE']).toBe(dir.endsWith('/local') ? 'false' : 'true');
  });

  it('may reach only DNS, the collector, and the exchange and sector services on their ports', () => {
    const policy = manifests(dir).find(
      (d): d is Policy =>
        d.kind === 'NetworkPolicy' &&
        (d as Policy).spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === consoleApp.name,
    )!;
    const egress = policy.spec.egress ?? [];
    const toPods = egress.flatMap((r) =>
      (r.to ?? []).flatMap((t) => {
        const name = t.podSelector?.matchLabels?.['app.kubernetes.io/name'];
        return name && name !== 'kube-dns' && name !== 'opentelemetry-collector'
          ? [{ name, ports: (r.ports ?? []).map((p) => p.port) }]
          : [];
      }),
    );
    expect(toPods.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      ['courts', 'ecommerce', 'exchange', 'procurement', 'tax'].map((name) => ({
        name,
        ports: [services.find((s) => s.name === name)!.port],
      })),
    );
    const ports = egress.flatMap((r) => (r.ports ?? []).map((p) => p.port)).sort((a, b) => a - b);
    expect(ports).toEqual([53, 53, 3000, 3001, 3002, 3003, 3004, 4318]);
    expect((policy.spec.ingress ?? []).every((r) => r.ports?.every((p) => p.port === consoleApp.port))).toBe(
      true,
    );
  });
});

describe('overlays', () => {
  it('commit no Secret in the base or production: they reference Secrets created in the cluster', () => {
    for (const dir of ['deploy/k8s/base', 'deploy/k8s/overlays/production'])
      expect(manifests(dir).filter((d) => d.kind === 'Secret')).toEqual([]);
  });

  it('keep demo secrets, clearly marked, to the local overlay', () => {
    const secrets = manifests('deploy/k8s/overlays/local').filter((d) => d.kind === 'Secret') as (Manifest & {
      data: Record<string, string>;
    })[];
    expect(secrets.map((s) => s.metadata.name.replace(/-[a-z0-9]{10}$/, '')).sort()).toEqual(
      [
        'exchange-keys',
        'exchange-signing-key',
        'platform-beijing-ack-signing',
        'platform-shanghai-ack-signing',
        ...services.map((s) => `${s.name}-database`),
      ].sort(),
    );
    for (const s of secrets)
      for (const value of Object.values(s.data)) {
        // The PII key is itself base64 (of a marked demo string).
        const text = Buffer.from(value, 'base64').toString('utf8');
        const inner = Buffer.from(text, 'base64').toString('utf8');
        expect(`${text} ${inner}`).toMatch(/demo|postgres:postgres@postgres/i);
      }
  });

  it('run production against Kafka over TLS with SASL, from versioned registry images', () => {
    const docs = manifests('deploy/k8s/overlays/production');
    const common = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name.startsWith('cie-common-')) as
      (Manifest & { data: Record<string, string> }) | undefined;
    expect(common?.data).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(common?.data.KAFKA_SSL_CA_FILE).toMatch(/^\/etc\/cie\/kafka-ca\//);
    for (const w of docs.filter(isWorkload))
      for (const c of w.spec.template.spec.containers)
        expect(c.image).toMatch(/^[a-z0-9.-]+\.[a-z]+\/.+:\d+\.\d+\.\d+$/);
    for (const ns of docs.filter((d) => d.kind !== 'Namespace'))
      expect(ns.metadata.namespace).toBe('credit-exchange');
  });
});

describe('the Kubernetes schema validator', () => {
  const good = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tax' },
    spec: {
      selector: { matchLabels: { app: 'tax' } },
      template: {
        metadata: { labels: { app: 'tax' } },
        spec: { containers: [{ name: 'tax', image: 'cie/tax' }] },
      },
    },
  };

  it('accepts a minimal valid Deployment', () => {
    expect(() => validateManifest(good)).not.toThrow();
  });

  it('rejects a Deployment whose replicas is not an integer', () => {
    expect(() => validateManifest({ ...good, spec: { ...good.spec, replicas: 'two' } })).toThrow(
      /replicas must be integer/,
    );
  });

  it('rejects a container without a name', () => {
    const broken = structuredClone(good) as { spec: { template: { spec: { containers: object[] } } } };
    broken.spec.template.spec.containers = [{ image: 'cie/tax' }];
    expect(() => validateManifest(broken)).toThrow(/containers\/0 must have required property name/);
  });

  it('rejects a probe port of the wrong type in a real built manifest', () => {
    const exchange = structuredClone(workload(manifests('deploy/k8s/base'), 'exchange'));
    (exchange.spec.template.spec.containers[0]!.livenessProbe!.httpGet as { port: unknown }).port = {
      http: 3000,
    };
    expect(() => validateManifest(exchange)).toThrow(/StatefulSet exchange/);
  });

  it('refuses a kind it has no schema for instead of passing it unchecked', () => {
    expect(() =>
      validateManifest({ apiVersion: 'apps/v1', kind: 'DaemonSett', metadata: { name: 'x' } }),
    ).toThrow(/no schema for apps\/v1\/DaemonSett/);
  });
});
