/** What happened to one attempt at a run of messages: done (and committed), or failed for good. */
export type SliceOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Processes `messages` in order so that only a message that fails on its own is set aside: the whole
 * run is tried first; when it fails for good it is bisected, each half tried in turn, down to the
 * single message, which goes to `isolate`. Everything before and after it is processed as usual.
 * One poison message in n costs about 2·log2(n) extra attempts; a clean batch costs one.
 *
 * `attempt` processes and commits a run or reports a poison failure; it throws to give up the batch
 * (transient error outlasting the batch, shutdown, rebalance), and nothing after that point runs.
 */
export async function isolatePoison<M>(
  messages: readonly M[],
  attempt: (run: readonly M[]) => Promise<SliceOutcome>,
  isolate: (message: M, error: unknown) => Promise<void>,
): Promise<void> {
  if (messages.length === 0) return;
  const outcome = await attempt(messages);
  if (outcome.ok) return;
  const [only] = messages;
  if (messages.length === 1 && only !== undefined) {
    await isolate(only, outcome.error);
    return;
  }
  const middle = Math.ceil(messages.length / 2);
  await isolatePoison(messages.slice(0, middle), attempt, isolate);
  await isolatePoison(messages.slice(middle), attempt, isolate);
}
