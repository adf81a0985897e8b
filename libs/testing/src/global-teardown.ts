// Jest globalTeardown companion of global-setup.ts: stops the containers it started, if any.
// Runs in the same process as globalSetup, so the stop functions are found on globalThis.
type Stopper = () => Promise<unknown>;
const CONTAINERS_KEY = '__cieTestContainers';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as typeof globalThis & { [CONTAINERS_KEY]?: Stopper[] };
  const stoppers = g[CONTAINERS_KEY] ?? [];
  delete g[CONTAINERS_KEY];
  const results = await Promise.allSettled(stoppers.map((stop) => stop()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    throw new Error(`could not stop ${failed.length} test container(s): ${String(failed[0]?.reason)}`);
  }
}
