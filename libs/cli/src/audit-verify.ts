import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuditVerifyCommand } from './args.js';

/** The exchange's own verifier: the CLI only finds and runs it, so there is one implementation. */
export const VERIFY_AUDIT = fileURLToPath(
  new URL('../../../services/exchange/dist/audit/verify-audit.js', import.meta.url),
);

/** Runs the verifier with the terminal's stdio; its exit code (0 intact, 1 problems, 2 cannot check) is ours. */
export async function auditVerify(cmd: AuditVerifyCommand, env: NodeJS.ProcessEnv): Promise<number> {
  if (!existsSync(VERIFY_AUDIT)) {
    process.stderr.write(
      `cie audit verify: ${VERIFY_AUDIT} is missing: build the exchange first (npx nx run @cie/exchange:build)\n`,
    );
    return 2;
  }
  const child = spawn(process.execPath, [VERIFY_AUDIT], {
    stdio: 'inherit',
    env: cmd.databaseUrl ? { ...env, DATABASE_URL: cmd.databaseUrl } : env,
  });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`cie audit verify: could not run ${VERIFY_AUDIT}: ${error.message}\n`);
      resolve(2);
    });
    child.once('exit', (code) => resolve(code ?? 2));
  });
}
