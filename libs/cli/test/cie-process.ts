import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CIE = fileURLToPath(new URL('../bin/cie.mjs', import.meta.url));

/** The process's peak resident set so far (VmHWM), in kB; undefined once it is gone. */
function peakRssKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the built `cie` as a user would, and collects what it printed, its exit code and its peak
 * resident memory (read from /proc while it runs).
 */
export function cie(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; peakRssKb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CIE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, peakRssKb(child.pid ?? -1) ?? 0);
    }, 25);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', (error) => {
      clearInterval(sample);
      reject(error);
    });
    child.once('exit', (code) => {
      clearInterval(sample);
      resolve({ code, stdout, stderr, peakRssKb: peak });
    });
  });
}
