import { generateKeyPairSync, sign } from 'node:crypto';
import { canonicalJson, receiptBytes, sha256Hex, signingKeyId, verifySignedReceipt } from './receipts.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

function signed(receipt: Record<string, unknown>) {
  const bytes = receiptBytes(receipt);
  return {
    receipt,
    signature: {
      algorithm: 'Ed25519' as const,
      keyId: signingKeyId(publicKey),
      value: sign(null, bytes, privateKey).toString('base64'),
    },
    sha256: sha256Hex(bytes),
  };
}

describe('receipt canonicalisation', () => {
  it('Given the same value with keys in another order, When canonicalised, Then the bytes are the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: { c: null, d: [1, 'x'] }, b: 1 })).toBe(
      canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } }),
    );
  });

  it('Given Chinese text, When canonicalised, Then it is kept as UTF-8, not escaped', () => {
    expect(receiptBytes({ t: '失信' }).toString('utf8')).toBe('{"t":"失信"}');
  });

  it('Given undefined properties, When canonicalised, Then they are left out; a NaN or a bigint is refused', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });

  it('Given parsed canonical bytes, When canonicalised again, Then the bytes come back exactly', () => {
    const bytes = receiptBytes({ z: [{ y: 'é', x: 1.5 }], a: true });
    expect(receiptBytes(JSON.parse(bytes.toString('utf8')) as object).equals(bytes)).toBe(true);
  });
});

describe('offline verification of a signed receipt', () => {
  const doc = signed({ number: 'CHK-20261202-000001', results: [{ status: 'hit' }] });

  it('Given a receipt as issued, When verified with the public key, Then every check holds', () => {
    expect(verifySignedReceipt(doc, pem)).toEqual({
      valid: true,
      checks: [
        expect.objectContaining({ check: 'keyId', ok: true }),
        expect.objectContaining({ check: 'sha256', ok: true }),
        expect.objectContaining({ check: 'signature', ok: true }),
      ],
    });
  });

  it('Given one character of the receipt changed, When verified, Then the hash and the signature fail', () => {
    const tampered = { ...doc, receipt: { ...doc.receipt, results: [{ status: 'hip' }] } };
    const { valid, checks } = verifySignedReceipt(tampered, pem);
    expect(valid).toBe(false);
    expect(checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['sha256', 'signature']);
  });

  it('Given another key, When verified, Then the key id and the signature fail', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { valid, checks } = verifySignedReceipt(doc, other);
    expect(valid).toBe(false);
    expect(checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['keyId', 'signature']);
  });

  it('Given something that is not a receipt, When verified, Then it says so', () => {
    expect(verifySignedReceipt({ hello: 1 }, pem)).toMatchObject({
      valid: false,
      checks: [{ check: 'shape' }],
    });
  });
});
