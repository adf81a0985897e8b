import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@cie/platform';
import { fileURLToPath } from 'node:url';
import { DEMO_SIGNING_KEY_ID, ReceiptSigner } from './receipt-signer.js';

const dir = mkdtempSync(join(tmpdir(), 'cie-signer-'));
const DEMO_KEY = fileURLToPath(
  new URL('../../../../deploy/local/check-signing-key.demo.pem', import.meta.url),
);
const problemOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigurationError');
};

describe('the receipt signing key', () => {
  it('Given the demo key, When loaded in demo mode, Then it signs under its published id', () => {
    expect(ReceiptSigner.fromFile(DEMO_KEY, { demoMode: true }).keyId).toBe(DEMO_SIGNING_KEY_ID);
  });

  it('Given the demo key copied under another name, When loaded outside demo mode, Then it is refused', () => {
    const copy = join(dir, 'signing.pem');
    writeFileSync(copy, readFileSync(DEMO_KEY));
    expect(problemOf(() => ReceiptSigner.fromFile(copy, { demoMode: false }))).toMatch(
      /CHECK_SIGNING_KEY_FILE: .*published demo signing key/,
    );
  });

  it('Given a key that is not Ed25519, or no key, When loaded, Then the variable is named', () => {
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    expect(problemOf(() => ReceiptSigner.fromFile(rsa, { demoMode: false }))).toMatch(
      /rsa key; receipts are signed with Ed25519/,
    );
    expect(problemOf(() => ReceiptSigner.fromFile(join(dir, 'missing.pem'), { demoMode: false }))).toMatch(
      /^CHECK_SIGNING_KEY_FILE: .*cannot read a PKCS#8 PEM private key/,
    );
  });
});
