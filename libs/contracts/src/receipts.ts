import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * Signed receipts of the exchange (a check at the point of decision, a credit report): the bytes
 * signed are the canonical JSON of `receipt`, so a saved receipt verifies offline with the published
 * public key, by the exchange (`GET /v1/checks/{number}`) and by `cie verify-receipt` alike.
 */
export interface SignedReceipt<R extends object = Record<string, unknown>> {
  receipt: R;
  signature: { algorithm: 'Ed25519'; keyId: string; value: string };
  /** SHA-256 (hex) of the canonical bytes: what the audit log entry of the receipt holds. */
  sha256: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives the
 * same bytes. Only JSON values: a number that is not finite, undefined, a function or a bigint is
 * refused rather than dropped, so what is signed is exactly what a reader parses back.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no ${typeof value}`);
}

/** The bytes a receipt's signature covers: its canonical JSON in UTF-8. */
export const receiptBytes = (receipt: object): Buffer => Buffer.from(canonicalJson(receipt), 'utf8');

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The id of a signing key: the first 16 hex characters of the SHA-256 of its public key (SPKI DER). */
export function signingKeyId(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

export interface ReceiptCheck {
  /** signature, sha256, keyId */
  check: string;
  ok: boolean;
  detail: string;
}

/** Verifies a signature over `bytes` with an Ed25519 public key (PEM); never throws for a bad value. */
export function verifyEd25519(bytes: Uint8Array, signatureBase64: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, bytes, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * Checks a saved receipt against the exchange's public key (PEM), without the exchange: the key id,
 * the SHA-256 of the canonical bytes and the Ed25519 signature over them. `valid` only if all hold.
 */
export function verifySignedReceipt(
  document: unknown,
  publicKeyPem: string,
): { valid: boolean; checks: ReceiptCheck[] } {
  const checks: ReceiptCheck[] = [];
  const doc = document as Partial<SignedReceipt> | null;
  if (
    !doc ||
    typeof doc !== 'object' ||
    !doc.receipt ||
    typeof doc.receipt !== 'object' ||
    typeof doc.signature?.value !== 'string'
  ) {
    return {
      valid: false,
      checks: [
        { check: 'shape', ok: false, detail: 'not a signed receipt: needs receipt and signature.value' },
      ],
    };
  }
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (error) {
    return {
      valid: false,
      checks: [{ check: 'keyId', ok: false, detail: `not a public key: ${(error as Error).message}` }],
    };
  }
  const keyId = signingKeyId(key);
  checks.push({
    check: 'keyId',
    ok: keyId === doc.signature.keyId,
    detail:
      keyId === doc.signature.keyId
        ? `signed with key ${keyId}`
        : `signed with key ${String(doc.signature.keyId)}, the public key given is ${keyId}`,
  });
  let bytes: Buffer;
  try {
    bytes = receiptBytes(doc.receipt);
  } catch (error) {
    return {
      valid: false,
      checks: [...checks, { check: 'sha256', ok: false, detail: (error as Error).message }],
    };
  }
  const digest = sha256Hex(bytes);
  checks.push({
    check: 'sha256',
    ok: digest === doc.sha256,
    detail:
      digest === doc.sha256
        ? `the canonical bytes hash to ${digest}`
        : `the canonical bytes hash to ${digest}, the receipt says ${String(doc.sha256)}`,
  });
  const signed = verifyEd25519(bytes, doc.signature.value, key);
  checks.push({
    check: 'signature',
    ok: signed,
    detail: signed
      ? 'the Ed25519 signature matches the canonical bytes'
      : 'the Ed25519 signature does not match the canonical bytes',
  });
  return { valid: checks.every((c) => c.ok), checks };
}
