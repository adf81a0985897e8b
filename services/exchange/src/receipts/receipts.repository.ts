import type { SqlRunner } from '@cie/platform';
import type { ReceiptKind } from './domain/receipt-number.js';

export interface ReceiptRow {
  number: string;
  kind: ReceiptKind;
  issued_at: Date;
  client_id: string;
  body: Buffer;
  sha256: string;
  signature: Buffer;
  key_id: string;
  audit_seq: string;
}

const SEQUENCE: Record<ReceiptKind, string> = {
  check: 'exchange.check_receipt_seq',
  report: 'exchange.report_receipt_seq',
};

/** The only owner of `exchange.receipts` and its sequences. Every method runs in the caller's transaction. */
export class ReceiptsRepository {
  async nextSequence(em: SqlRunner, kind: ReceiptKind): Promise<string> {
    const [row] = await em.query<{ n: string }[]>(`SELECT nextval('${SEQUENCE[kind]}')::text AS n`);
    if (!row) throw new Error(`no value from ${SEQUENCE[kind]}`);
    return row.n;
  }

  async insert(em: SqlRunner, row: ReceiptRow): Promise<void> {
    await em.query(
      `INSERT INTO exchange.receipts (number, kind, issued_at, client_id, body, sha256, signature, key_id, audit_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        row.number,
        row.kind,
        row.issued_at,
        row.client_id,
        row.body,
        row.sha256,
        row.signature,
        row.key_id,
        row.audit_seq,
      ],
    );
  }

  async find(db: SqlRunner, number: string): Promise<ReceiptRow | undefined> {
    const [row] = await db.query<ReceiptRow[]>(
      `SELECT number, kind, issued_at, client_id, body, sha256, signature, key_id, audit_seq::text AS audit_seq
         FROM exchange.receipts WHERE number = $1`,
      [number],
    );
    return row;
  }
}
