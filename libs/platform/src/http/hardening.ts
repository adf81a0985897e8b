import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestErrorCode, RequestException } from './problem.js';
import { sendProblem, sendRequestException } from './problem.filter.js';

/** Names of the query parameters given more than once in a URL's search part, in first-seen order. */
export function repeatedQueryParameters(url: string): string[] {
  const search = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of new URLSearchParams(search).keys()) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated];
}

/**
 * `?purpose=a&purpose=b` answered 400 naming the parameter, once for every route: Express turns a
 * repeated parameter into an array, which no handler here expects (a string method on it throws).
 */
export function refuseRepeatedQueryParameters(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const repeated = repeatedQueryParameters(req.originalUrl);
    if (repeated.length === 0) return next();
    const problems = repeated.map((field) => ({ field, detail: `${field} must be given once` }));
    sendRequestException(
      req,
      res,
      new RequestException(
        RequestErrorCode.REPEATED_PARAMETER,
        `query parameter ${repeated.join(', ')} is given more than once; give it once`,
        problems,
      ),
    );
  };
}

export interface FailedAuthLimits {
  /** Failed authentications (401) from one address within `windowMs` before it is blocked. */
  maxFailures: number;
  windowMs: number;
  /** The first block; each block that follows another without a quiet window in between doubles. */
  firstBlockMs: number;
  maxBlockMs: number;
}

interface AddressState {
  failures: number[];
  blocks: number;
  blockedUntil: number;
}

/** Addresses tracked at most; past it, the ones without a recent failure or a block are forgotten. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Failed authentications per client address, with exponential backoff: after `maxFailures` in a
 * window the address is blocked for `firstBlockMs`; a further failure before the window has gone
 * quiet blocks it for twice as long, up to `maxBlockMs`. Pure (the caller passes the time), so the
 * rule is tested without waiting.
 */
export class FailedAuthThrottle {
  private readonly addresses = new Map<string, AddressState>();

  constructor(private readonly limits: FailedAuthLimits) {}

  /** Milliseconds the address must still wait, 0 when it may try. */
  blockedFor(address: string, now: number): number {
    const state = this.addresses.get(address);
    return state ? Math.max(0, state.blockedUntil - now) : 0;
  }

  /** Counts a failed authentication; returns the block it caused in milliseconds (0: none). */
  recordFailure(address: string, now: number): number {
    const state = this.addresses.get(address) ?? { failures: [], blocks: 0, blockedUntil: 0 };
    state.failures = state.failures.filter((t) => t > now - this.limits.windowMs);
    if (state.failures.length === 0 && state.blockedUntil <= now) state.blocks = 0;
    state.failures.push(now);
    // Only the last maxFailures matter: an address failing all day costs constant memory.
    if (state.failures.length > this.limits.maxFailures) state.failures.shift();
    let blockMs = 0;
    if (state.failures.length >= this.limits.maxFailures) {
      blockMs = Math.min(this.limits.maxBlockMs, this.limits.firstBlockMs * 2 ** state.blocks);
      state.blocks += 1;
      state.blockedUntil = now + blockMs;
    }
    this.addresses.delete(address);
    this.addresses.set(address, state);
    if (this.addresses.size > MAX_TRACKED_ADDRESSES) this.forgetQuiet(now);
    return blockMs;
  }

  private forgetQuiet(now: number): void {
    for (const [address, state] of this.addresses) {
      if (this.addresses.size <= MAX_TRACKED_ADDRESSES) return;
      const recent = state.failures.some((t) => t > now - this.limits.windowMs);
      if (!recent && state.blockedUntil <= now) this.addresses.delete(address);
    }
    // Still over: every address is active; the oldest entries (Map order) go first.
    for (const address of this.addresses.keys()) {
      if (this.addresses.size <= MAX_TRACKED_ADDRESSES) return;
      this.addresses.delete(address);
    }
  }
}

/**
 * Express middleware: an address blocked by `throttle` is answered 429 with Retry-After, whatever the
 * route but `open` ones; every 401 answered to an address counts as a failure. Placed before the
 * body parser and the key check, so a guessing client costs neither.
 */
export function failedAuthenticationLimit(
  throttle: FailedAuthThrottle,
  open: (path: string) => boolean,
  now: () => number = Date.now,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (open(req.path)) return next();
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitMs = throttle.blockedFor(address, now());
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      res.setHeader('Retry-After', String(seconds));
      res.setHeader('Connection', 'close');
      sendProblem(req, res, {
        type: 'about:blank',
        title: 'Too many requests',
        status: 429,
        code: RequestErrorCode.TOO_MANY_FAILED_AUTHENTICATIONS,
        detail: `too many failed authentications from this address; retry in ${seconds} s`,
      });
      return;
    }
    res.once('finish', () => {
      if (res.statusCode === 401) throttle.recordFailure(address, now());
    });
    next();
  };
}

/**
 * A deadline for each request (headers, body and handler together): past it, the caller is answered
 * 408 (its body was still arriving) or 503 and the connection closed; a response already started is
 * cut. `longer` routes (a streamed bulk upload) get their own deadline.
 */
export function requestDeadline(
  timeoutMs: number,
  longer?: { matches: (req: Request) => boolean; timeoutMs: number },
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const ms = longer?.matches(req) ? longer.timeoutMs : timeoutMs;
    const timer = setTimeout(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const receiving = !req.complete;
      res.setHeader('Connection', 'close');
      sendProblem(req, res, {
        type: 'about:blank',
        title: receiving ? 'Request timeout' : 'Service unavailable',
        status: receiving ? 408 : 503,
        detail: `the request took longer than ${Math.round(ms / 1000)} s`,
      });
    }, ms);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/**
 * At most `max` requests in flight at once (`open` routes aside, so probes answer under load); past
 * it, 503 with Retry-After at once, before the key is checked or the body read. An overloaded service
 * then answers quickly what it cannot take, instead of queueing requests in memory until each one's
 * deadline, which makes every answer slow and lets fewer through (issue 13, fault 10).
 */
export function inFlightLimit(max: number, open: (path: string) => boolean, retryAfterS = 1): RequestHandler {
  let inFlight = 0;
  return (req: Request, res: Response, next: NextFunction) => {
    if (open(req.path)) return next();
    if (inFlight >= max) {
      res.setHeader('Retry-After', String(retryAfterS));
      sendRequestException(
        req,
        res,
        new RequestException(
          RequestErrorCode.OVERLOADED,
          `${max} requests are already in progress; nothing was accepted, retry in ${retryAfterS} s`,
        ),
      );
      return;
    }
    inFlight += 1;
    // 'close' follows 'finish' and also comes when the client goes away first: counted down once.
    res.once('close', () => (inFlight -= 1));
    next();
  };
}

/** Health probes and metrics scrapes: the only routes of a service that need no key. */
export const isHealthOrMetrics = (path: string): boolean => /^\/(health\/[a-z]+|metrics)\/?$/.test(path);

export interface HttpHardening {
  /** Failed authentications per address per minute before 429 (AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute: number;
  /** Paths that need no key: not throttled (a probe never fails auth, and must not be blocked). */
  open?: (path: string) => boolean;
  /** Per-request deadline; 30 s by default. */
  requestTimeoutMs?: number;
  /** Routes allowed to take longer, e.g. a streamed upload. */
  longer?: { matches: (req: Request) => boolean; timeoutMs: number };
  /** Requests in flight at once before 503 (MAX_IN_FLIGHT_REQUESTS); unlimited when not given. */
  maxInFlight?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * What every service puts in front of its routes, after observability and before any body parser:
 * the in-flight limit, header and request deadlines, repeated query parameters refused, failed
 * authentication throttled.
 */
export function hardenHttp(app: INestApplication, options: HttpHardening): void {
  const open = options.open ?? isHealthOrMetrics;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const server = app.getHttpServer() as {
    headersTimeout: number;
    requestTimeout: number;
  };
  // Node's own limits, server-wide: headers within 30 s; the body of the longest route allowed.
  server.headersTimeout = Math.min(timeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  server.requestTimeout = Math.max(timeoutMs, options.longer?.timeoutMs ?? 0);
  if (options.maxInFlight !== undefined) app.use(inFlightLimit(options.maxInFlight, open));
  app.use(requestDeadline(timeoutMs, options.longer));
  app.use(refuseRepeatedQueryParameters());
  app.use(
    failedAuthenticationLimit(
      new FailedAuthThrottle({
        maxFailures: options.authFailuresPerMinute,
        windowMs: 60_000,
        firstBlockMs: 1_000,
        maxBlockMs: 15 * 60_000,
      }),
      open,
    ),
  );
}
