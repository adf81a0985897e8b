// A supervisor for one service of the local stack, as Compose's `restart: unless-stopped` and a
// Kubernetes Deployment are in production: it runs the service, and when the service exits on its
// own (a crash, an exit code, a signal it did not ask for) starts it again after a backoff of
// 1 s, 2 s, 4 s ... up to 30 s, back to 1 s once a run has lasted a minute. Each exit and restart is
// one JSON log line on the service's log. SIGTERM or SIGINT stops the service (SIGTERM, SIGKILL
// after STOP_GRACE_MS) and then the supervisor; it is not restarted then.
//
//   node tools/stack/supervise.mjs <label> <child-pid-file> <command> [args...]
//
// services.mjs starts it detached, with the service's environment and its log as stdout and stderr.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const [label, childPidFile, command, ...args] = process.argv.slice(2);
if (!label || !childPidFile || !command) {
  console.error('usage: node tools/stack/supervise.mjs <label> <child-pid-file> <command> [args...]');
  process.exit(2);
}
const INITIAL_BACKOFF_MS = Number(process.env.SUPERVISOR_INITIAL_BACKOFF_MS ?? 1000);
const MAX_BACKOFF_MS = Number(process.env.SUPERVISOR_MAX_BACKOFF_MS ?? 30_000);
const STABLE_AFTER_MS = 60_000;
const STOP_GRACE_MS = 12_000;

const log = (level, msg, fields = {}) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, service: label, context: 'supervisor', msg, ...fields })}\n`,
  );

let child;
let stopping = false;
let restarts = 0;
let backoff = INITIAL_BACKOFF_MS;
let timer;

function start() {
  const startedAt = Date.now();
  child = spawn(command, args, { stdio: 'inherit', env: process.env });
  fs.writeFileSync(childPidFile, String(child.pid));
  if (restarts > 0) log('warn', `${label} restarted (restart ${restarts}, pid ${child.pid})`, { restarts });
  child.once('exit', (code, signal) => {
    if (stopping) return;
    if (Date.now() - startedAt >= STABLE_AFTER_MS) backoff = INITIAL_BACKOFF_MS;
    const delay = backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    restarts += 1;
    log(
      'error',
      `${label} exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delay / 1000} s`,
      { code, signal, restartInMs: delay },
    );
    timer = setTimeout(start, delay);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  child.once('exit', () => {
    clearTimeout(kill);
    fs.rmSync(childPidFile, { force: true });
    process.exit(0);
  });
  child.kill('SIGTERM');
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
start();
