import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support.js';

interface Service {
  name: string;
  entry: string;
  port: number;
}
interface Stack {
  startService(options: {
    name: string;
    service: Service;
    env: Record<string, string>;
  }): Promise<{ url: string; pid: number; supervisorPid: number }>;
  stopServices(options: { name: string; services: Service[] }): Promise<void>;
}

const NAME = `supervisor-test-${randomUUID().slice(0, 8)}`;
const SERVICE: Service = { name: 'tiny', entry: 'tools/stack/fixtures/tiny-service.mjs', port: 26190 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** The pid the service answers with once it answers again with another than `previous`. */
async function restartedFrom(url: string, previous: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      const { pid } = (await (await fetch(`${url}/health/ready`)).json()) as { pid: number };
      if (pid !== previous) return pid;
    } catch {
      // down between two runs
    }
    await sleep(100);
  }
  throw new Error(`not restarted within 15 s (pid ${previous})`);
}

describe('the local stack’s supervisor (tools/stack/supervise.mjs, through startService)', () => {
  let stack: Stack;
  const log = () => fs.readFileSync(path.join(ROOT, '.stack', NAME, 'tiny.log'), 'utf8');

  beforeAll(async () => {
    stack = (await import(path.join(ROOT, 'tools/stack/services.mjs'))) as Stack;
  });
  afterAll(async () => {
    await stack.stopServices({ name: NAME, services: [SERVICE] });
    fs.rmSync(path.join(ROOT, '.stack', NAME), { recursive: true, force: true });
  });

  it('restarts a service that is killed or exits, with a growing backoff and a log line each time, and stops it for good on stop', async () => {
    // Given a service started as the demo starts its services
    const { url, pid, supervisorPid } = await stack.startService({
      name: NAME,
      service: SERVICE,
      env: { SUPERVISOR_INITIAL_BACKOFF_MS: '200' },
    });
    expect(((await (await fetch(`${url}/health/ready`)).json()) as { pid: number }).pid).toBe(pid);

    // When it is SIGKILLed, Then it is back under a new pid, and the log says so
    process.kill(pid, 'SIGKILL');
    const second = await restartedFrom(url, pid);
    expect(log()).toContain('tiny exited (signal SIGKILL); restarting in 0.2 s');
    expect(log()).toContain(`tiny restarted (restart 1, pid ${second})`);

    // And when it exits on its own, again, the backoff doubles
    await fetch(`${url}/exit?code=3`).catch(() => undefined);
    const third = await restartedFrom(url, second);
    expect(log()).toContain('tiny exited (code 3); restarting in 0.4 s');
    expect(log()).toContain(`tiny restarted (restart 2, pid ${third})`);

    // When the stack is stopped, Then the service and its supervisor are gone and stay gone
    await stack.stopServices({ name: NAME, services: [SERVICE] });
    expect([alive(third), alive(supervisorPid)]).toEqual([false, false]);
    await sleep(1_000);
    await expect(fetch(`${url}/health/ready`)).rejects.toThrow();
  });
});
