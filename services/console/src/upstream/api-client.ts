/** An RFC 9457 problem as the APIs send it, or as the console describes an API it could not reach. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  errors?: { field: string; detail: string }[];
}

export type ApiResult<T> = { ok: true; status: number; body: T } | { ok: false; problem: Problem };

const TIMEOUT_MS = 5_000;

/**
 * Calls a service's API with the signed-in user's key. The console never decides what a role may
 * see: a 401 or 403 from the API comes back as a problem for the page to show.
 */
export async function callApi<T>(
  base: string,
  path: string,
  key: string,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<ApiResult<T>> {
  const url = `${base}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return {
      ok: false,
      problem: {
        status: 502,
        title: 'Service unreachable',
        detail: `${new URL(url).origin} did not answer: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = undefined;
  }
  if (response.ok && parsed !== undefined) return { ok: true, status: response.status, body: parsed as T };
  const problem = (parsed ?? {}) as Partial<Problem>;
  return {
    ok: false,
    problem: {
      status: response.status,
      title: typeof problem.title === 'string' ? problem.title : response.statusText || 'Error',
      ...(typeof problem.detail === 'string' ? { detail: problem.detail } : {}),
      ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
    },
  };
}
