import type { FieldProblem } from '@cie/platform';

export type ReceiptStatus =
  'accepted' | 'duplicate' | 'refused' | 'conflict' | 'forbidden' | 'not_found' | 'too_large';

/** The answer to one submitted record, whatever the channel (HTTP, NDJSON line, Kafka). */
export interface Receipt {
  status: ReceiptStatus;
  /** The HTTP status the record alone would get. */
  httpStatus: number;
  sourceRecordId: string | null;
  recordType?: string;
  action?: 'publish' | 'correct' | 'withdraw';
  version?: number;
  eventId?: string;
  topic?: string;
  partition?: number;
  offset?: string;
  receivedAt?: string;
  acceptedAt?: string;
  problems?: FieldProblem[];
  /** What the exchange did with the event, once it has said so (stored, or dead-lettered and why). */
  exchangeOutcome?: { status: string; recordId?: string; reason?: string; at?: string };
}

export const refused = (
  sourceRecordId: string | null,
  httpStatus: number,
  problems: FieldProblem[],
  status: ReceiptStatus = 'refused',
): Receipt => ({
  status,
  httpStatus,
  sourceRecordId,
  problems,
});
