import { readFileSync } from 'node:fs';
import { verifySignedReceipt } from '@cie/contracts';
import type { VerifyReceiptCommand } from './args.js';
import type { Io } from './submit.js';

/** Thrown when a file cannot be read or parsed: exit code 2. */
export class CannotVerify extends Error {
  override readonly name = 'CannotVerify';
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CannotVerify(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** The PEM of a key file: the PEM itself, or the JSON answer of GET /v1/signing-key. */
export function publicKeyPemOf(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  const pem = (JSON.parse(trimmed) as { publicKeyPem?: unknown }).publicKeyPem;
  if (typeof pem !== 'string') throw new CannotVerify('the key JSON has no publicKeyPem');
  return pem;
}

/** Verifies a saved receipt with the exchange's public key, offline: one implementation, in @cie/contracts. */
export function verifyReceipt(cmd: VerifyReceiptCommand, io: Pick<Io, 'stdout'>): number {
  let document: unknown;
  try {
    document = JSON.parse(read(cmd.file, 'receipt'));
  } catch (error) {
    if (error instanceof CannotVerify) throw error;
    throw new CannotVerify(`${cmd.file} is not JSON: ${(error as Error).message}`);
  }
  const pem = publicKeyPemOf(read(cmd.publicKeyFile, 'public key'));
  const { valid, checks } = verifySignedReceipt(document, pem);
  const number = (document as { receipt?: { number?: unknown } } | null)?.receipt?.number;
  for (const c of checks) io.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}\n`);
  io.stdout.write(`${typeof number === 'string' ? number : cmd.file}: ${valid ? 'VALID' : 'INVALID'}\n`);
  return valid ? 0 : 1;
}
