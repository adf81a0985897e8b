import type { INestApplication } from '@nestjs/common';

export interface RegisteredRoute {
  method: string;
  /** As registered, e.g. `/v1/records/:sourceRecordId/corrections`. */
  path: string;
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * Every route the running Nest app registered on Express (its router's stack), so that a route
 * added later is found without anyone listing it.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const express = app.getHttpAdapter().getInstance() as {
    router?: { stack: ExpressLayer[] };
    _router?: { stack: ExpressLayer[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  return stack.flatMap((layer) =>
    layer.route
      ? Object.entries(layer.route.methods)
          .filter(([, on]) => on)
          .map(([method]) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

export interface RouteAnswer {
  route: string;
  caller: string;
  status: number;
}

const SAMPLE_ID = '0190f0a0-0000-7000-8000-000000000000';

/**
 * Calls every route but the `open` ones without a key, with an unknown key and with each of
 * `wrongScopeKeys`, and returns what each answered: a route that is guarded answers 401 to the
 * first two and 403 to at least one wrong-scope key. Path parameters get a sample UUID (the guard
 * runs before any pipe), bodies are `{}`.
 */
export async function callEveryRoute(
  base: string,
  routes: readonly RegisteredRoute[],
  options: { open: readonly string[]; wrongScopeKeys: Record<string, string> },
): Promise<{ open: string[]; answers: RouteAnswer[] }> {
  const open: string[] = [];
  const answers: RouteAnswer[] = [];
  const callers: [string, string | undefined][] = [
    ['no key', undefined],
    ['unknown key', 'not-a-key-of-this-service'],
    ...Object.entries(options.wrongScopeKeys),
  ];
  for (const { method, path } of routes) {
    const route = `${method} ${path}`;
    if (options.open.includes(route)) {
      open.push(route);
      continue;
    }
    const url = `${base}${path.replace(/:[A-Za-z]+/g, SAMPLE_ID)}`;
    for (const [caller, key] of callers) {
      const response = await fetch(url, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      await response.body?.cancel();
      answers.push({ route, caller, status: response.status });
    }
  }
  return { open, answers };
}

/**
 * The routes of `answers` that are not guarded: answered other than 401 without a valid key, or
 * never 403. A route of `anyClient` (one every known key may call, such as who-am-i) must instead
 * answer every known key without 401 or 403.
 */
export function unguardedRoutes(
  answers: readonly RouteAnswer[],
  anyClient: readonly string[] = [],
): string[] {
  const byRoute = new Map<string, RouteAnswer[]>();
  for (const a of answers) byRoute.set(a.route, [...(byRoute.get(a.route) ?? []), a]);
  return [...byRoute]
    .filter(([route, calls]) => {
      const anonymous = calls.filter((c) => c.caller === 'no key' || c.caller === 'unknown key');
      const scoped = calls.filter((c) => c.caller !== 'no key' && c.caller !== 'unknown key');
      if (!anonymous.every((c) => c.status === 401)) return true;
      return anyClient.includes(route)
        ? !scoped.every((c) => c.status !== 401 && c.status !== 403)
        : !scoped.some((c) => c.status === 403);
    })
    .map(([route, calls]) => `${route}: ${calls.map((c) => `${c.caller} ${c.status}`).join(', ')}`);
}

/**
 * The generated route test: every route the running `app` registered is guarded (401 without a
 * key, 403 to some wrong-scope key) except exactly `open`, and there are at least `minRoutes`.
 */
export async function expectEveryRouteGuarded(
  app: INestApplication,
  options: {
    open: readonly string[];
    wrongScopeKeys: Record<string, string>;
    minRoutes: number;
    /** Routes every known key may call (401 without one, never 403): they are asked with each key too. */
    anyClient?: readonly string[];
  },
): Promise<void> {
  const { open, answers } = await callEveryRoute(await app.getUrl(), registeredRoutes(app), options);
  expect(open.sort()).toEqual([...options.open].sort());
  expect(new Set(answers.map((a) => a.route)).size).toBeGreaterThanOrEqual(options.minRoutes);
  for (const route of options.anyClient ?? []) expect(answers.map((a) => a.route)).toContain(route);
  expect(unguardedRoutes(answers, options.anyClient)).toEqual([]);
}
