import type { INestApplication } from '@nestjs/common';
import { registeredRoutes } from './route-guard.js';

export interface Route {
  method: string;
  /** OpenAPI style: `/v1/records/{sourceRecordId}`. */
  path: string;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const key = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

/** The routes the app registered (`registeredRoutes`), written as OpenAPI does: `:param` as `{param}`. */
export function openApiRoutes(app: INestApplication): Route[] {
  return registeredRoutes(app)
    .filter((r) => r.method !== '_ALL')
    .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }));
}

/** The operations of an OpenAPI document, as routes. */
export function documentedRoutes(document: Record<string, unknown>): Route[] {
  const paths = (document['paths'] ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.has(method))
      .map((method) => ({ method, path })),
  );
}

/**
 * The app's routes its OpenAPI document leaves out, as `METHOD /path`, except the `excluded` paths
 * (health, metrics, the document itself): what a test expects to be empty.
 */
export function undocumentedRoutes(
  app: INestApplication,
  document: Record<string, unknown>,
  excluded: readonly string[],
): string[] {
  const documented = new Set(documentedRoutes(document).map(key));
  return openApiRoutes(app)
    .filter((r) => !excluded.includes(r.path))
    .map(key)
    .filter((route) => !documented.has(route))
    .sort();
}

/** Paths every service serves that are not its API: probes, metrics and the document itself. */
export const NOT_API_PATHS = ['/health/live', '/health/ready', '/metrics', '/openapi.json'] as const;

/**
 * The example records of a running sector service's OpenAPI document (POST /v1/records): valid by
 * construction, so tests that need valid records never carry a copy that goes stale.
 */
export async function recordExamples(serviceUrl: string): Promise<Record<string, unknown>[]> {
  const doc = (await (await fetch(`${serviceUrl}/openapi.json`)).json()) as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { examples: object }> } } }>;
  };
  const examples = Object.values(
    doc.paths['/v1/records']!.post.requestBody.content['application/json']!.examples,
  ) as { value: Record<string, unknown> }[];
  return examples.map((e) => e.value);
}
