// Starts and stops the NestJS services of a local stack as detached processes with pid files
// under .stack/<name>/, so `npm run stack -- down` can stop exactly what a demo started. Each runs
// under a supervisor (supervise.mjs) that restarts it when it exits, as Compose and Kubernetes do:
// <service>.pid is the supervisor's, <service>.child.pid the service's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROOT } from './kafka.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// kafkajs 2.2.4 schedules `setTimeout(fn, throttledUntil - Date.now())` with throttledUntil = -1, which
// Node 24 reports as a TimeoutNegativeWarning on every start; harmless (Node uses 1 ms), so silenced.
// V8's young generation grows to 2 x 64 MB semi-spaces under load, every page of it resident: 16 MB
// keeps the exchange under its 300 MB budget (deploy/docker/Dockerfile says the same).
export const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning', '--max-semi-space-size=16'];

/** The services of the local stack, in start order (the exchange creates the topics it consumes). */
export const SERVICES = [
  { name: 'exchange', port: 3000, entry: 'services/exchange/dist/main.js' },
  { name: 'tax', port: 3001, entry: 'services/tax/dist/main.js' },
  { name: 'procurement', port: 3002, entry: 'services/procurement/dist/main.js' },
  { name: 'courts', port: 3003, entry: 'services/courts/dist/main.js' },
  { name: 'ecommerce', port: 3004, entry: 'services/ecommerce/dist/main.js' },
  // Reference subscribers: one regional platform per subscriber, each in its own schema of the stack's database.
  {
    name: 'platform-beijing',
    port: 3010,
    entry: 'services/regional-platform/dist/main.js',
    env: { SUBSCRIBER_ID: 'beijing-platform' },
  },
  {
    name: 'platform-shanghai',
    port: 3011,
    entry: 'services/regional-platform/dist/main.js',
    env: { SUBSCRIBER_ID: 'shanghai-platform' },
  },
];

/**
 * The web console: a client of the services' APIs (its default URLs are the stack's ports), started
 * after them. Kept apart from SERVICES, which deploy/test checks against Compose and Kubernetes.
 */
export const CONSOLE = { name: 'console', port: 3020, entry: 'services/console/dist/main.js' };

/** Settings for one local stack. Secrets are made per stack and kept in .stack/<name>/secrets.json. */
export function stackEnv({ root = DEFAULT_ROOT, name, kafkaBrokers, databaseUrl }) {
  const file = path.join(root, '.stack', name, 'secrets.json');
  let secrets;
  try {
    secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    secrets = {
      PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
      PII_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  }
  return {
    // The demo keys files below (and their keys, printed in the README) are public: the services
    // take them only in demo mode.
    DEMO_MODE: '1',
    KAFKA_BROKERS: kafkaBrokers,
    DATABASE_URL: databaseUrl,
    AGENCY_KEYS_FILE: path.join(root, 'deploy/local/agency-keys.demo.json'),
    CLIENTS_FILE: path.join(root, 'deploy/local/exchange-clients.demo.json'),
    PLATFORM_CLIENTS_FILE: path.join(root, 'deploy/local/platform-clients.demo.json'),
    // Deletion acks are signed by each platform and verified by the exchange (demo keys, demo mode only).
    FEED_ACK_KEYS_FILE: path.join(root, 'deploy/local/feed-ack-keys.demo.json'),
    FEED_ACK_SIGNING_KEYS_FILE: path.join(root, 'deploy/local/feed-ack-signing-keys.demo.json'),
    SUBSCRIBERS_FILE: path.join(root, 'deploy/local/subscribers.demo.json'),
    RELEASE_RULES_FILE: path.join(root, 'deploy/local/release-rules.demo.json'),
    CHECK_SIGNING_KEY_FILE: path.join(root, 'deploy/local/check-signing-key.demo.pem'),
    LOG_FORMAT: 'json',
    // Two glibc malloc arenas instead of one per thread for V8's worker threads, whose freed memory
    // stayed resident (the exchange's peak RSS in the bench 364 -> 324 MB; deploy/docker/Dockerfile too).
    MALLOC_ARENA_MAX: '2',
    ...secrets,
  };
}

/**
 * Starts `service` detached under its supervisor and waits for /health/ready; `port` overrides
 * `service.port`, and the service's own `env` (e.g. a platform's SUBSCRIBER_ID) is added to the
 * stack's `env`. Returns the service's pid (`pid`) and its supervisor's (`supervisorPid`).
 */
export async function startService({ root = DEFAULT_ROOT, name, service, env, port = service.port }) {
  const dir = path.join(root, '.stack', name);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, `${service.name}.log`);
  const log = fs.openSync(logFile, 'a');
  const childPidFile = path.join(dir, `${service.name}.child.pid`);
  fs.rmSync(childPidFile, { force: true });
  const supervisor = spawn(
    process.execPath,
    [
      path.join(root, 'tools/stack/supervise.mjs'),
      service.name,
      childPidFile,
      process.execPath,
      ...NODE_FLAGS,
      path.join(root, service.entry),
    ],
    {
      cwd: root,
      env: { ...process.env, ...env, ...service.env, PORT: String(port) },
      stdio: ['ignore', log, log],
      detached: true,
    },
  );
  supervisor.unref();
  fs.closeSync(log);
  fs.writeFileSync(path.join(dir, `${service.name}.pid`), String(supervisor.pid));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let first;
  const fail = (why) => {
    supervisor.kill('SIGTERM');
    return new Error(`${service.name} ${why}; see ${logFile}`);
  };
  for (;;) {
    if (supervisor.exitCode !== null) throw new Error(`${service.name}'s supervisor exited; see ${logFile}`);
    const pid = readPid(childPidFile);
    first ??= pid;
    // A service that exits before it is ready is not restarted in a loop: its start failed.
    if (first !== undefined && (pid !== first || !isAlive(first))) throw fail('exited during start-up');
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return { url, pid: first, supervisorPid: supervisor.pid };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw fail('was not ready within 60 s');
    await sleep(250);
  }
}

function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SIGTERM each service's supervisor, which stops the service (it drains and commits) and is not
 * restarted; SIGKILL after 15 s, the service too if it is still there.
 */
export async function stopServices({
  root = DEFAULT_ROOT,
  name,
  services = [CONSOLE, ...[...SERVICES].reverse()],
}) {
  for (const service of services) {
    const pidFile = path.join(root, '.stack', name, `${service.name}.pid`);
    let pid;
    try {
      pid = Number(fs.readFileSync(pidFile, 'utf8'));
    } catch {
      continue;
    }
    if (isOurs(pid, service.entry)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 15_000;
      while (isAlive(pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    const childPidFile = path.join(root, '.stack', name, `${service.name}.child.pid`);
    const child = readPid(childPidFile);
    if (child !== undefined && isOurs(child, service.entry)) process.kill(child, 'SIGKILL');
    fs.rmSync(pidFile, { force: true });
    fs.rmSync(childPidFile, { force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

// A pid file may outlive its process and the pid be reused: only signal our own service.
function isOurs(pid, entry) {
  try {
    return isAlive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry);
  } catch {
    return false;
  }
}
