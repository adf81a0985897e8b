import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectEventually } from '@cie/testing';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Settings shared by every exchange process of one test file (same secrets, group, database). */
// Fixed, not random: Jest loads this module once per test file, and every file's exchange shares the database.
const TEST_PII_KEY = Buffer.alloc(32, 7).toString('base64');

export function exchangeEnv(overrides: Record<string, string>): Record<string, string> {
  return {
    PSEUDONYM_SECRET: 'integration-test-pseudonym-secret-0123456789',
    // One key for every exchange the tests start: they share the database, as instances of one deployment do.
    PII_ENCRYPTION_KEY: TEST_PII_KEY,
    SUBSCRIBERS_FILE: `${REPO_ROOT}deploy/local/subscribers.demo.json`,
    RELEASE_RULES_FILE: `${REPO_ROOT}deploy/local/release-rules.demo.json`,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'log',
    ...overrides,
  };
}

/** A built service of this repository as a real child process, so a test can SIGKILL it. */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  /** `entry`: the service's built main, from the repository root. */
  constructor(
    private readonly env: Record<string, string>,
    private readonly entry = MAIN,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.env['PORT'] ?? '3000'}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', this.entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    await expectEventually(
      async () => {
        if (child.exitCode !== null)
          throw new Error(
            `${this.entry} exited with ${child.exitCode}:\n${this.output.join('').slice(-3000)}`,
          );
        const response = await fetch(`${this.url}/health/ready`);
        if (response.status !== 200) throw new Error(`not ready: ${await response.text()}`);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    // TEST_DUMP_DIR=<dir> keeps each process's log for a failing test to be read.
    const dump = process.env['TEST_DUMP_DIR'];
    if (dump)
      writeFileSync(
        path.join(
          dump,
          `${path.basename(path.dirname(path.dirname(this.entry)))}-${this.env['PORT'] ?? ''}.log`,
        ),
        this.output.join(''),
      );
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

/** The built exchange as a real child process. */
export class ExchangeProcess extends ServiceProcess {}

/** A built sector service (e.g. `courts`) as a real child process, with the demo agency keys. */
export function sectorServiceProcess(sector: string, env: Record<string, string>): ServiceProcess {
  return new ServiceProcess(
    { AGENCY_KEYS_FILE: `${REPO_ROOT}deploy/local/agency-keys.demo.json`, LOG_FORMAT: 'json', ...env },
    `${REPO_ROOT}services/${sector}/dist/main.js`,
  );
}
