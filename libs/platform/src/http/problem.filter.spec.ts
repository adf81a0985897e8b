import { type ArgumentsHost, Logger } from '@nestjs/common';
import { ProblemDetailsFilter } from './problem.filter.js';

/** What the filter answers for `exception`: status, Retry-After and body. */
function answer(exception: unknown) {
  const headers = new Map<string, string>();
  const sent: { status?: number; body?: string } = {};
  const response = {
    hasHeader: (name: string) => headers.has(name.toLowerCase()),
    setHeader: (name: string, value: string) => void headers.set(name.toLowerCase(), value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    type() {
      return this;
    },
    send(body: string) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'POST', originalUrl: '/v1/records' }),
      getResponse: () => response,
    }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return {
    status: sent.status,
    retryAfter: headers.get('retry-after'),
    body: JSON.parse(sent.body!) as object,
  };
}

describe('ProblemDetailsFilter with a dependency away', () => {
  // Quiet: a 5xx is logged with its stack.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it.each([
    [
      'PostgreSQL refusing connections',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'PostgreSQL shutting down (57P01)',
      { name: 'QueryFailedError', message: 'terminating connection', driverError: { code: '57P01' } },
    ],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['no connection within the pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a lock wait past lock_timeout (55P03)',
      { name: 'QueryFailedError', message: 'lock timeout', driverError: { code: '55P03' } },
    ],
  ])('answers %s with 503 and Retry-After, not 500', (_what, error) => {
    expect(answer(error)).toMatchObject({
      status: 503,
      retryAfter: '5',
      body: { status: 503, detail: expect.stringContaining('Retry later') },
    });
  });

  it('still answers a bug (a data exception, a TypeError) with 500', () => {
    expect(answer(new TypeError('x is undefined')).status).toBe(500);
    expect(answer({ name: 'QueryFailedError', message: 'bad', driverError: { code: '22P02' } }).status).toBe(
      500,
    );
  });
});
