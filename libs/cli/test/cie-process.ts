import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CIE = fileURLToPath(new URL('../bin/cie.mjs', import.meta.url));

/** Runs the built `cie` as a user would, and collects what it printed and its exit code. */
export function cie(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CIE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
