import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { isEnded } from '../../delivery/domain/disclosure.js';
import { type Refusal, refuse as refusal } from '../../outbound.js';

/** The held record an agency's correction or withdrawal is about, as far as the rules need it. */
export interface HeldState {
  status: CanonicalRecord['status'];
  /** The current version. */
  current: CanonicalRecord;
}

type Decision = { refused: Refusal } | { record: CanonicalRecord };

/**
 * A correction (DESIGN §8): a new version of a record that has not ended. It may not change who the
 * record is about (the subject's kind or identity number): that is a withdrawal and a new record.
 * Pure: the caller has normalised the corrected record and stores what this returns.
 */
export function decideCorrection(
  held: HeldState | undefined,
  corrected: CanonicalRecord,
  srid: string,
  agency: string,
): Decision {
  if (!held) return refusal('unknown_record', `agency ${agency} has no record ${srid} to correct`);
  if (isEnded(held.status))
    return refusal('invalid_state', `record ${srid} of agency ${agency} was ${held.status}`);
  const before = held.current.subject;
  if (before.kind !== corrected.subject.kind || before.canonicalId !== corrected.subject.canonicalId)
    return refusal(
      'subject_identity_changed',
      `subject_identity_changed: a correction of record ${srid} may not change the subject's kind or identity number; withdraw it and publish a new record`,
    );
  return { record: { ...corrected, version: held.current.version + 1, status: 'corrected' } };
}

/** A withdrawal ends a record that has not ended yet. */
export function decideWithdrawal(held: HeldState | undefined, srid: string, agency: string): Decision {
  if (!held) return refusal('unknown_record', `agency ${agency} has no record ${srid} to withdraw`);
  if (isEnded(held.status))
    return refusal('invalid_state', `record ${srid} of agency ${agency} was ${held.status}`);
  return { record: { ...held.current, status: 'withdrawn' } };
}
