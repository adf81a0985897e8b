export interface EventuallyOptions {
  /** Give up after this long and rethrow the assertion's last error. */
  timeoutMs?: number;
  /** Pause between two attempts. */
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `assertion` until it stops throwing and returns what it returned; on timeout rethrows the
 * error of the last attempt, so the test fails with the real expectation message.
 * For effects that happen asynchronously (a consumer storing a record, a message arriving).
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 100 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() + intervalMs > deadline) throw err;
    }
    await sleep(intervalMs);
  }
}
