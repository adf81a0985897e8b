import { isolatePoison, type SliceOutcome } from './isolate-poison.js';

/** A handler that fails (for good) any run holding a poison message, and records what it was given. */
function fakeHandler(poison: ReadonlySet<number>) {
  const attempts: number[][] = [];
  const committed: number[] = [];
  const isolated: number[] = [];
  return {
    attempts,
    committed,
    isolated,
    attempt: (run: readonly number[]): Promise<SliceOutcome> => {
      attempts.push([...run]);
      if (run.some((m) => poison.has(m))) return Promise.resolve({ ok: false, error: new Error('poison') });
      committed.push(...run);
      return Promise.resolve({ ok: true });
    },
    isolate: (message: number): Promise<void> => {
      isolated.push(message);
      return Promise.resolve();
    },
  };
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('isolatePoison: only the message that fails alone is set aside', () => {
  it('Given a clean batch, When processed, Then it is one attempt and all of it is committed', async () => {
    const handler = fakeHandler(new Set());
    await isolatePoison(range(8), handler.attempt, handler.isolate);
    expect(handler.attempts).toEqual([range(8)]);
    expect(handler.committed).toEqual(range(8));
    expect(handler.isolated).toEqual([]);
  });

  it('Given one poison message, When processed, Then it alone is isolated and the rest committed in order', async () => {
    const handler = fakeHandler(new Set([5]));
    await isolatePoison(range(8), handler.attempt, handler.isolate);
    expect(handler.isolated).toEqual([5]);
    expect(handler.committed).toEqual([0, 1, 2, 3, 4, 6, 7]);
    // 8 → [0..3] ok, [4..7] fails → [4,5] fails → [4] ok, [5] isolated → [6,7] ok
    expect(handler.attempts).toEqual([range(8), [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5], [6, 7]]);
  });

  it('Given several poison messages, When processed, Then each is isolated at its place in the order', async () => {
    const handler = fakeHandler(new Set([0, 3, 4, 9]));
    const order: string[] = [];
    await isolatePoison(
      range(10),
      async (run) => {
        const outcome = await handler.attempt(run);
        if (outcome.ok) order.push(...run.map(String));
        return outcome;
      },
      async (m) => {
        order.push(`isolated ${m}`);
        await handler.isolate(m);
      },
    );
    expect(handler.isolated).toEqual([0, 3, 4, 9]);
    expect(order).toEqual([
      'isolated 0',
      '1',
      '2',
      'isolated 3',
      'isolated 4',
      '5',
      '6',
      '7',
      '8',
      'isolated 9',
    ]);
  });

  it('Given a single poison message, When processed, Then it is isolated after one attempt', async () => {
    const handler = fakeHandler(new Set([0]));
    await isolatePoison([0], handler.attempt, handler.isolate);
    expect(handler.attempts).toEqual([[0]]);
    expect(handler.isolated).toEqual([0]);
  });

  it('Given an attempt that gives up the batch (shutdown), When processed, Then nothing after it runs', async () => {
    const handler = fakeHandler(new Set([2]));
    let calls = 0;
    const attempt = (run: readonly number[]) => {
      calls += 1;
      if (calls === 3) return Promise.reject(new Error('stopping'));
      return handler.attempt(run);
    };
    await expect(isolatePoison(range(4), attempt, handler.isolate)).rejects.toThrow('stopping');
    expect(handler.committed).toEqual([0, 1]);
    expect(handler.isolated).toEqual([]);
  });

  it('Given no messages, When processed, Then nothing is attempted', async () => {
    const handler = fakeHandler(new Set());
    await isolatePoison([], handler.attempt, handler.isolate);
    expect(handler.attempts).toEqual([]);
  });
});
