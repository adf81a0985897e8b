// `npm run pii:rotate` (after tools/run.sh has provisioned Node and node_modules): re-seals every
// identity number in the exchange's database under the current personal-data key by running the
// compiled command services/exchange/dist/identity/rotate-pii-key.js (README: "Rotating the
// personal-data key"). tools/run.sh builds it first (Nx, cached).
//
//   DATABASE_URL=… PII_ENCRYPTION_KEY=<new> PII_ENCRYPTION_KEY_ID=k2 PII_PREVIOUS_KEYS=k1:<old> npm run pii:rotate
//
// Exit code: 0 every number is under the current key, 1 one opened under no configured key, 2 it could not run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const command = path.join(root, 'services', 'exchange', 'dist', 'identity', 'rotate-pii-key.js');

if (!fs.existsSync(command)) {
  console.error(
    `pii-rotate: ${path.relative(root, command)} is missing: run it as \`npm run pii:rotate\`, which builds it`,
  );
  process.exit(2);
}
const child = spawn(process.execPath, [command, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('error', (err) => {
  console.error(`pii-rotate: could not run ${command}: ${err.message}`);
  process.exit(2);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 2 : 0)));
