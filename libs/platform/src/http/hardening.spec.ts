import { FailedAuthThrottle, isHealthOrMetrics, repeatedQueryParameters } from './hardening.js';

describe('repeated query parameters', () => {
  it('Given a parameter twice, When checked, Then it is named once', () => {
    expect(repeatedQueryParameters('/v1/subjects/x/records?purpose=a&purpose=b&purpose=c')).toEqual([
      'purpose',
    ]);
  });

  it('Given distinct parameters or none, When checked, Then nothing is repeated', () => {
    expect(repeatedQueryParameters('/v1/routing/explain?recordId=1&subscriber=b')).toEqual([]);
    expect(repeatedQueryParameters('/v1/records')).toEqual([]);
  });

  it('Given an encoded name, When checked, Then it is compared decoded', () => {
    expect(repeatedQueryParameters('/x?purpose=a&%70urpose=b')).toEqual(['purpose']);
  });
});

describe('failed authentication throttle', () => {
  const limits = { maxFailures: 3, windowMs: 60_000, firstBlockMs: 1_000, maxBlockMs: 8_000 };

  it('Given fewer failures than the limit, When asked, Then the address may try', () => {
    const throttle = new FailedAuthThrottle(limits);
    throttle.recordFailure('a', 0);
    throttle.recordFailure('a', 1);
    expect(throttle.blockedFor('a', 2)).toBe(0);
  });

  it('Given the limit reached, When asked, Then the address waits the first block, and others do not', () => {
    const throttle = new FailedAuthThrottle(limits);
    for (const t of [0, 1, 2]) throttle.recordFailure('a', t);
    expect(throttle.blockedFor('a', 2)).toBe(1_000);
    expect(throttle.blockedFor('b', 2)).toBe(0);
  });

  it('Given failures going on after each block, When blocked again, Then each block doubles up to the cap', () => {
    const throttle = new FailedAuthThrottle(limits);
    for (const t of [0, 1]) throttle.recordFailure('a', t);
    const blocks = [2, 2_000, 5_000, 12_000, 30_000, 50_000].map((t) => throttle.recordFailure('a', t));
    expect(blocks).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('Given a quiet window after a block, When it fails again, Then it starts from the first block', () => {
    const throttle = new FailedAuthThrottle(limits);
    for (const t of [0, 1, 2]) throttle.recordFailure('a', t);
    for (const t of [70_000, 70_001]) expect(throttle.recordFailure('a', t)).toBe(0);
    expect(throttle.recordFailure('a', 70_002)).toBe(1_000);
  });
});

describe('open routes', () => {
  it('Given health and metrics paths, Then only they are open', () => {
    expect(['/health/live', '/health/ready', '/metrics'].every(isHealthOrMetrics)).toBe(true);
    expect(['/v1/records', '/healthz', '/metrics/x', '/health/live/../../v1'].some(isHealthOrMetrics)).toBe(
      false,
    );
  });
});
