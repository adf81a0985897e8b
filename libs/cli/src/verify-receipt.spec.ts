import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiptBytes, sha256Hex, signingKeyId } from '@cie/contracts';
import { parseCommand } from './args.js';
import { publicKeyPemOf, verifyReceipt } from './verify-receipt.js';

const dir = mkdtempSync(join(tmpdir(), 'cie-verify-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const receipt = { number: 'CHK-20261202-000001', results: [{ status: 'clear' }] };
const bytes = receiptBytes(receipt);
const saved = {
  receipt,
  signature: {
    algorithm: 'Ed25519',
    keyId: signingKeyId(publicKey),
    value: sign(null, bytes, privateKey).toString('base64'),
  },
  sha256: sha256Hex(bytes),
};

function run(receiptJson: string, keyText: string): { code: number; out: string } {
  const file = join(dir, `r-${Math.random()}.json`);
  const key = join(dir, `k-${Math.random()}.pem`);
  writeFileSync(file, receiptJson);
  writeFileSync(key, keyText);
  let out = '';
  const code = verifyReceipt(
    { command: 'verify-receipt', file, publicKeyFile: key },
    { stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream },
  );
  return { code, out };
}

describe('cie verify-receipt', () => {
  it('parses its command line and refuses one without --public-key', () => {
    expect(parseCommand(['verify-receipt', 'r.json', '--public-key', 'k.pem'], () => '')).toEqual({
      command: 'verify-receipt',
      file: 'r.json',
      publicKeyFile: 'k.pem',
    });
    expect(() => parseCommand(['verify-receipt', 'r.json'], () => '')).toThrow(/--public-key is required/);
  });

  it('Given a saved receipt and the PEM, When verified, Then VALID and exit 0', () => {
    const { code, out } = run(JSON.stringify(saved), pem);
    expect(code).toBe(0);
    expect(out).toContain('CHK-20261202-000001: VALID');
  });

  it('Given the key as GET /v1/signing-key answers it, When read, Then its PEM is used', () => {
    expect(publicKeyPemOf(JSON.stringify({ keyId: 'x', publicKeyPem: pem }))).toBe(pem);
  });

  it('Given one byte of the receipt changed, When verified, Then INVALID and exit 1', () => {
    const { code, out } = run(JSON.stringify(saved).replace('"clear"', '"clean"'), pem);
    expect(code).toBe(1);
    expect(out).toContain('FAIL signature');
    expect(out).toContain('INVALID');
  });
});
