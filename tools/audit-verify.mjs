// `npm run audit:verify` (after tools/run.sh has provisioned Node and node_modules):
// checks the exchange's audit log hash chain on DATABASE_URL by running the compiled command
// services/exchange/dist/audit/verify-audit.js. tools/run.sh builds it first (Nx, cached).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cie npm run audit:verify
//
// Exit code: 0 the chain is intact, 1 a problem was found (each is printed), 2 it could not check.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const command = path.join(root, 'services', 'exchange', 'dist', 'audit', 'verify-audit.js');

if (!fs.existsSync(command)) {
  console.error(
    `audit-verify: ${path.relative(root, command)} is missing: run it as \`npm run audit:verify\`, which builds it`,
  );
  process.exit(2);
}
const child = spawn(process.execPath, [command, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('error', (err) => {
  console.error(`audit-verify: could not run ${command}: ${err.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 2 : 0)));
