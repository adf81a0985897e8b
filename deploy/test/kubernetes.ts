import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

// Each kind the manifests use, with its validator compiled from the Kubernetes OpenAPI schema that
// kubernetes-models bundles. A kind missing here fails the test rather than going unchecked.
const MODELS = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
} as const;

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Validates one manifest against the published schema of its apiVersion and kind; throws what is wrong. */
export function validateManifest(doc: unknown): Manifest {
  if (typeof doc !== 'object' || doc === null) throw new Error('a manifest must be an object');
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(apiVersion)}/${String(kind)}`;
  const Model = (MODELS as Record<string, new (data: object) => { validate(): void }>)[key];
  if (!Model) throw new Error(`no schema for ${key}: add its kubernetes-models class to MODELS`);
  try {
    new Model(key === 'v1/Secret' ? unwrapSecretData(doc) : doc).validate();
  } catch (error) {
    const name = (doc as { metadata?: { name?: string } }).metadata?.name ?? '?';
    throw new Error(`${key} ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return doc as Manifest;
}

/**
 * kustomize wraps a generated Secret's base64 at 76 columns (a file such as a PEM key); the API
 * server decodes it with Go's base64, which skips the line breaks, while the schema's "byte" format
 * does not: validate the value as the server reads it.
 */
function unwrapSecretData(doc: object): object {
  const data = (doc as { data?: Record<string, unknown> }).data;
  if (!data) return doc;
  return {
    ...doc,
    data: Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\n/g, '') : v]),
    ),
  };
}

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      configMapKeyRef?: { name: string; key: string };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
  volumes?: {
    name: string;
    configMap?: { name: string; optional?: boolean };
    secret?: { secretName: string };
  }[];
}

export interface Workload extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

export function isWorkload(doc: Manifest): doc is Workload {
  return doc.kind === 'Deployment' || doc.kind === 'StatefulSet';
}
