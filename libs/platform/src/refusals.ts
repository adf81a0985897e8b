/**
 * Why a service refused a message: one closed set of codes for every consumer, written as the
 * `dlq_code` header of a dead letter and used as the metric label, so nothing parses free text back.
 * The names of the first five are the label values the dashboards already show.
 */
export const REFUSAL_CODES = [
  /** Empty, not UTF-8 / JSON / protobuf, or of a type this consumer does not read. */
  'undecodable',
  /** A CloudEvents header (ce_id, ce_type, ce_specversion...) is missing or malformed. */
  'invalid_envelope',
  /** The payload decodes but a field is missing, malformed or holds what cannot be stored (NUL). */
  'invalid_field',
  /** It refers to a record, delivery or request this service does not have. */
  'unknown_record',
  /** It is meant for or sent by someone else (another subscriber, agency or sector). */
  'not_owner',
  /** It conflicts with what is already stored (a second publication of the same record). */
  'duplicate_record',
  /** What it asks cannot be done in the state things are in (an ended record, a dispute already resolved). */
  'invalid_state',
  /** A correction would change who the record is about: that is a withdrawal and a new record. */
  'subject_identity_changed',
  /** Bigger than this consumer takes (a record event over MAX_RECORD_BYTES, the sector services' own limit). */
  'too_large',
  /** PostgreSQL refused its values (SQLSTATE class 22): the same message fails the same way again. */
  'unstorable',
  /** Handling it failed with a non-transient error; the consumer isolated it so the partition moves on. */
  'processing_failed',
  /** A message that must be signed by its sender (an ack, an agency submission) has no signature or no ce_id. */
  'unsigned',
  /** It is signed by a sender whose public key this service does not have. */
  'unknown_signer',
  /** Its signature does not verify under the signer's key (forged, or altered since it was signed). */
  'bad_signature',
  /** Refused for a reason given only as free text (callers that predate the codes). */
  'unprocessable',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  /** Path of the offending field, when there is one (`subscriber`, `source.agencyId`). */
  field?: string;
  /** For people: what was wrong, without personal data. */
  detail: string;
}

/** Thrown where a message is refused; consumers turn it into a dead letter with its code. */
export class RefusalError extends Error {
  override readonly name = 'RefusalError';
  readonly refusal: Refusal;

  constructor(code: RefusalCode, detail: string, field?: string) {
    super(detail);
    this.refusal = field === undefined ? { code, detail } : { code, field, detail };
  }
}

export function isRefusalCode(value: unknown): value is RefusalCode {
  return typeof value === 'string' && (REFUSAL_CODES as readonly string[]).includes(value);
}

/**
 * The code of a refusal given as free text by callers that do not build a `Refusal` yet (the
 * exchange's pipeline). The only place the wording of a reason is read.
 */
export function refusalCodeOf(reason: string): RefusalCode {
  if (/^invalid envelope/i.test(reason)) return 'invalid_envelope';
  if (
    /^(empty payload|payload is not|a withdrawal must|.* must be a |.* does not belong|unsupported)/i.test(
      reason,
    )
  )
    return 'undecodable';
  if (/already published/i.test(reason)) return 'duplicate_record';
  if (/has no record|was withdrawn|no record/i.test(reason)) return 'unknown_record';
  return 'unprocessable';
}

/** A refusal from free text or from a `Refusal`, so both kinds of caller write the same headers. */
export function toRefusal(reason: string | Refusal): Refusal {
  return typeof reason === 'string' ? { code: refusalCodeOf(reason), detail: reason } : reason;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Refuses an identifier or name that PostgreSQL cannot store (NUL) or that none should hold (C0
 * controls, DEL), naming the field, before it reaches a query that would fail on it.
 */
export function requirePlainText(field: string, value: string): string {
  if (CONTROL_CHARACTER.test(value))
    throw new RefusalError('invalid_field', `${field} contains a NUL or control character`, field);
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses an id that a `uuid` column would reject (SQLSTATE 22P02), naming the field; lower-cased. */
export function requireUuid(field: string, value: string): string {
  if (!UUID.test(value)) throw new RefusalError('invalid_field', `${field} is not a UUID`, field);
  return value.toLowerCase();
}
