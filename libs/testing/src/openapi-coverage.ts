import type { NestExpressApplication } from '@nestjs/platform-express';

export interface Route {
  method: string;
  /** OpenAPI style: `/v1/records/{sourceRecordId}`. */
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const key = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

/**
 * Every route the (initialised) app registered on Express, read from the router itself rather than
 * from Nest's decorators, so a route added any way at all is seen. `:param` is written `{param}`.
 */
export function registeredRoutes(app: NestExpressApplication): Route[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack: Layer[] } };
  const routes: Route[] = [];
  for (const layer of express.router?.stack ?? []) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths)
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on && method !== '_all') routes.push({ method, path: path.replace(/:(\w+)/g, '{$1}') });
  }
  return routes;
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
  app: NestExpressApplication,
  document: Record<string, unknown>,
  excluded: readonly string[],
): string[] {
  const documented = new Set(documentedRoutes(document).map(key));
  return registeredRoutes(app)
    .filter((r) => !excluded.includes(r.path))
    .map(key)
    .filter((route) => !documented.has(route))
    .sort();
}

/** Paths every service serves that are not its API: probes, metrics and the document itself. */
export const NOT_API_PATHS = ['/health/live', '/health/ready', '/metrics', '/openapi.json'] as const;
