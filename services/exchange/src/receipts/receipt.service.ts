import { createPublicKey } from 'node:crypto';
import {
  canonicalJson,
  type ReceiptCheck,
  receiptBytes,
  sha256Hex,
  type SignedReceipt,
  verifyEd25519,
} from '@cie/contracts';
import type { Clock, SqlRunner } from '@cie/platform';
import type { EntityManager } from 'typeorm';
import type { ExchangeClient } from '../access/exchange-clients.js';
import type { AuditLog } from '../audit/audit-log.js';
import { chinaDate } from '../delivery/domain/disclosure.js';
import { type ReceiptKind, receiptKindOf, receiptNumber } from './domain/receipt-number.js';
import type { ReceiptSigner } from './receipt-signer.js';
import { ReceiptErrorCode, ReceiptException } from './receipts.exception.js';
import type { ReceiptsRepository } from './receipts.repository.js';

/** What the caller gets: the signed receipt and the audit entry that chains it. */
export type IssuedReceipt<R extends object> = SignedReceipt<R> & { audit: { seq: string } };

export interface ReceiptVerification {
  number: string;
  valid: boolean;
  checks: ReceiptCheck[];
}

/**
 * Issues and re-verifies the exchange's signed receipts (checks, credit reports). A receipt is its
 * canonical JSON bytes, stored exactly as signed, with an audit entry holding their SHA-256, in the
 * caller's transaction: the answer, the evidence and the audit trail commit together or not at all.
 */
export class ReceiptService {
  constructor(
    private readonly signer: ReceiptSigner,
    private readonly receipts: ReceiptsRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** The public key that verifies every receipt signed with the current key. */
  publicKey(): { algorithm: 'Ed25519'; keyId: string; publicKeyPem: string } {
    return { algorithm: 'Ed25519', keyId: this.signer.keyId, publicKeyPem: this.signer.publicKeyPem };
  }

  async issue<R extends object>(
    em: EntityManager,
    kind: ReceiptKind,
    client: ExchangeClient,
    build: (number: string, issuedAt: string) => R,
    audit: { subjectId?: string; details: Record<string, unknown> },
  ): Promise<IssuedReceipt<R>> {
    const now = this.clock.now();
    const number = receiptNumber(kind, chinaDate(now), await this.receipts.nextSequence(em, kind));
    const receipt = build(number, now.toISOString());
    const bytes = receiptBytes(receipt);
    const sha256 = sha256Hex(bytes);
    const signature = this.signer.sign(bytes);
    const seq = await this.audit.append(em, [
      {
        kind: `${kind}_receipt`,
        actor: client.clientId,
        subjectId: audit.subjectId ?? null,
        details: { number, sha256, keyId: this.signer.keyId, ...audit.details },
        recordedAt: now,
      },
    ]);
    if (seq === undefined) throw new Error('the audit log appended nothing');
    await this.receipts.insert(em, {
      number,
      kind,
      issued_at: now,
      client_id: client.clientId,
      body: bytes,
      sha256,
      signature,
      key_id: this.signer.keyId,
      audit_seq: seq,
    });
    return {
      receipt,
      signature: { algorithm: 'Ed25519', keyId: this.signer.keyId, value: signature.toString('base64') },
      sha256,
      audit: { seq },
    };
  }

  /**
   * A stored receipt re-verified: the signature over the stored bytes, their SHA-256 against the
   * stored one and the audit entry's, and that entry's place in the chain. An operator may read any
   * receipt, any other client only its own (another's is not found, so numbers reveal nothing).
   */
  async verify(
    db: SqlRunner,
    number: string,
    client: ExchangeClient,
    kind: ReceiptKind,
  ): Promise<
    Partial<SignedReceipt> & {
      audit: { seq: string; hash: string | null };
      verification: ReceiptVerification;
    }
  > {
    const row = receiptKindOf(number) === kind ? await this.receipts.find(db, number) : undefined;
    if (!row || (client.role !== 'operator' && row.client_id !== client.clientId))
      throw new ReceiptException(
        ReceiptErrorCode.RECEIPT_NOT_FOUND,
        `no ${kind} receipt ${number}`,
        'number',
      );
    const checks: ReceiptCheck[] = [];
    const digest = sha256Hex(row.body);
    checks.push({
      check: 'sha256',
      ok: digest === row.sha256,
      detail:
        digest === row.sha256
          ? `the stored bytes hash to ${digest}, as issued`
          : `the stored bytes hash to ${digest}, but ${row.sha256} was issued`,
    });
    if (row.key_id === this.signer.keyId) {
      const ok = verifyEd25519(
        row.body,
        row.signature.toString('base64'),
        createPublicKey(this.signer.publicKeyPem),
      );
      checks.push({
        check: 'signature',
        ok,
        detail: ok
          ? `the Ed25519 signature of key ${row.key_id} matches the stored bytes`
          : `the Ed25519 signature of key ${row.key_id} does not match the stored bytes`,
      });
    } else {
      checks.push({
        check: 'signature',
        ok: false,
        detail: `signed with key ${row.key_id}, which this exchange no longer holds (current key ${this.signer.keyId})`,
      });
    }
    let receipt: Record<string, unknown> | undefined;
    try {
      receipt = JSON.parse(row.body.toString('utf8')) as Record<string, unknown>;
      const canonical = canonicalJson(receipt) === row.body.toString('utf8');
      checks.push({
        check: 'canonical',
        ok: canonical,
        detail: canonical
          ? 'the stored bytes are the canonical JSON of the receipt shown'
          : 'the stored bytes are JSON but not canonical',
      });
    } catch {
      checks.push({ check: 'canonical', ok: false, detail: 'the stored bytes are not JSON' });
    }
    const { entry, problems } = await this.audit.verifyEntry(db, row.audit_seq);
    const details = entry?.details ?? {};
    const audited =
      entry?.kind === `${kind}_receipt` && details['number'] === number && details['sha256'] === digest;
    checks.push({
      check: 'audit',
      ok: audited,
      detail: audited
        ? `audit entry ${row.audit_seq} holds this number and the SHA-256 of the stored bytes`
        : `audit entry ${row.audit_seq} holds ${String(details['number'])} with SHA-256 ${String(details['sha256'])}, the stored bytes hash to ${digest}`,
    });
    checks.push({
      check: 'chain',
      ok: problems.length === 0,
      detail:
        problems.length === 0
          ? `audit entry ${row.audit_seq} matches its hash and links to the entries before and after it`
          : problems.map((p) => `entry ${p.seq}: ${p.problem} — ${p.detail}`).join('; '),
    });
    return {
      ...(receipt && { receipt }),
      signature: { algorithm: 'Ed25519', keyId: row.key_id, value: row.signature.toString('base64') },
      sha256: row.sha256,
      audit: { seq: row.audit_seq, hash: entry?.hash ?? null },
      verification: { number, valid: checks.every((c) => c.ok), checks },
    };
  }
}
