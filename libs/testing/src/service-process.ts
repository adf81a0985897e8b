import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectEventually } from './expect-eventually.js';

/** The repository root (two levels above libs/testing/{src,dist}). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A built service of this repository (`services/<name>/dist/main.js`) as a real child process, so a
 * test can stop it, SIGKILL it and read what it logged. `start` resolves once /health/ready says 200.
 * With TEST_DUMP_DIR=<dir>, each process's log is written there when it is stopped.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];

  constructor(
    /** The built main, absolute or from the repository root. */
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}

  /** The built main of `services/<name>`. */
  static of(service: string, env: Record<string, string>): ServiceProcess {
    return new ServiceProcess(`${REPO_ROOT}services/${service}/dist/main.js`, env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.env['PORT'] ?? '3000'}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  async start(): Promise<void> {
    // kafkajs' known negative-timeout warning is Node's, not a log line.
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', this.entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    try {
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
    } catch (error) {
      await this.stop('SIGKILL');
      throw error;
    }
  }

  /** Sends `signal` (SIGSTOP, SIGCONT...) while the process runs; a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
  }

  /** Signals the process and resolves with its exit code (0: a clean, drained shutdown; null: killed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
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
    if (!child) return null;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
