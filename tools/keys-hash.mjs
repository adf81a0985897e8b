// `npm run keys:hash`: reads a bearer key on stdin (one line) and prints the salted hash a keys file
// holds for it (`"keyScrypt": "scrypt:16384:8:1:<salt>:<hash>"`, a fresh salt each time). The key
// itself goes nowhere else: give it to its holder, keep only the hash in CLIENTS_FILE,
// PLATFORM_CLIENTS_FILE or AGENCY_KEYS_FILE.
//
//   openssl rand -base64 32 | tee new-key.txt | npm run --silent keys:hash
import 'reflect-metadata';
import { hashBearerKeyScrypt } from '@cie/platform';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const key = input.trim();
if (!/^\S{16,}$/.test(key)) {
  console.error('keys-hash: give the key on stdin: one line of at least 16 characters without spaces');
  process.exit(2);
}
console.log(hashBearerKeyScrypt(key));
