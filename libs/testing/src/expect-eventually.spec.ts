import { expectEventually } from './expect-eventually.js';

describe('expectEventually', () => {
  it('retries until the assertion stops throwing and returns its result', async () => {
    let calls = 0;
    const result = await expectEventually(
      () => {
        calls += 1;
        expect(calls).toBeGreaterThanOrEqual(3);
        return calls;
      },
      { timeoutMs: 2_000, intervalMs: 1 },
    );
    expect(result).toBe(3);
    expect(calls).toBe(3);
  });

  it('awaits asynchronous assertions', async () => {
    let calls = 0;
    await expectEventually(
      async () => {
        calls += 1;
        await Promise.resolve();
        if (calls < 2) throw new Error('not yet');
      },
      { timeoutMs: 2_000, intervalMs: 1 },
    );
    expect(calls).toBe(2);
  });

  it('rethrows the error of the last attempt once the time is up', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      expectEventually(
        () => {
          calls += 1;
          throw new Error(`attempt ${calls} failed`);
        },
        { timeoutMs: 50, intervalMs: 10 },
      ),
    ).rejects.toThrow(/^attempt \d+ failed$/);
    const elapsed = Date.now() - started;
    expect(calls).toBeGreaterThan(1);
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('reports the last error, not the first', async () => {
    let calls = 0;
    const error = await expectEventually(
      () => {
        calls += 1;
        throw new Error(`attempt ${calls}`);
      },
      { timeoutMs: 30, intervalMs: 5 },
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`attempt ${calls}`);
    expect(calls).toBeGreaterThan(1);
  });
});
