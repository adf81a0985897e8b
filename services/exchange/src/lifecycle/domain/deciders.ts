import type { CanonicalRecord } from '../../domain/canonical-record.js';
import { isEnded, periodOver } from '../../delivery/domain/disclosure.js';
import { type Refusal, refuse } from '../../outbound.js';

/**
 * The lifecycle's rules (DESIGN §8) as pure deciders, `decide(state, command) → what to do`: the
 * handlers read the state, call these, then store and deliver what they say. No I/O, no clock.
 */

export interface RecordState {
  recordId: string;
  sector: string;
  agencyId: string;
  status: CanonicalRecord['status'];
}
export interface DisputeState {
  disputeId: string;
  sector: string;
  agencyId: string;
  version: number;
  status: 'open' | 'resolved';
}
export interface RepairState {
  requestId: string;
  sector: string;
  agencyId: string;
  status: 'pending' | 'approved' | 'rejected';
}
/** Who sent an answer: the sector of the topic it came on, and the agency it names. */
export interface Answerer {
  sector: string | undefined;
  agencyId: string | undefined;
}

type Refused = { refused: Refusal };

/** Filing: the record is flagged and its holders told, unless it has ended (the dispute closes as upheld). */
export function decideFiling(
  record: RecordState | undefined,
  dispute: DisputeState | undefined,
  ids: { recordId: string; disputeId: string },
): Refused | { close: string } | { flag: true } {
  if (!record) return refuse('unknown_record', `no record ${ids.recordId} to dispute`);
  if (!dispute || dispute.status !== 'open')
    return refuse('invalid_state', `dispute ${ids.disputeId} is not open`);
  if (isEnded(record.status)) return { close: `the record was already ${record.status}` };
  return { flag: true };
}

export type Outcome = 'upheld' | 'corrected' | 'withdrawn';
const OUTCOMES: readonly string[] = ['upheld', 'corrected', 'withdrawn'];

/**
 * Resolution by the owning agency: only it, only once, with a known outcome; `corrected` only after
 * it sent the correction. Holders hear of it unless the record has ended; `withdrawn` ends it.
 */
export function decideResolution(
  dispute: DisputeState | undefined,
  answerer: Answerer,
  answer: { disputeId: string; outcome: string },
  currentVersion: (recordOf: DisputeState) => number,
): Refused | { outcome: Outcome } {
  const owner = checkOwner(dispute, answerer, `dispute ${answer.disputeId}`);
  if (owner) return owner;
  if (!dispute) return refuse('unknown_record', `no dispute ${answer.disputeId}`);
  if (dispute.status !== 'open')
    return refuse('invalid_state', `dispute ${answer.disputeId} is already resolved`);
  if (!OUTCOMES.includes(answer.outcome))
    return refuse('invalid_field', `outcome must be upheld, corrected or withdrawn, not "${answer.outcome}"`);
  const version = currentVersion(dispute);
  if (answer.outcome === 'corrected' && version <= dispute.version)
    return refuse(
      'invalid_state',
      `dispute ${answer.disputeId} cannot be resolved as corrected: the record is still at version ${version}; send the correction first`,
    );
  return { outcome: answer.outcome as Outcome };
}

/** A repair decision by the owning agency, once; an approval repairs a record that has not ended. */
export function decideRepair(
  request: RepairState | undefined,
  answerer: Answerer,
  answer: { requestId: string; approved: boolean },
): Refused | { status: 'approved' | 'rejected' } {
  const owner = checkOwner(request, answerer, `repair request ${answer.requestId}`);
  if (owner) return owner;
  if (!request) return refuse('unknown_record', `no repair request ${answer.requestId}`);
  if (request.status !== 'pending')
    return refuse('invalid_state', `repair request ${answer.requestId} is already decided`);
  return { status: answer.approved ? 'approved' : 'rejected' };
}

/**
 * Expiry when the scheduler asks: nothing for a record that already ended; a record corrected to a
 * later end is left for the scheduler to ask again then.
 */
export function decideExpiry(
  record: CanonicalRecord,
  status: CanonicalRecord['status'],
  today: string,
): 'expire' | 'already_ended' | 'not_due' {
  if (isEnded(status)) return 'already_ended';
  return periodOver(record, today) ? 'expire' : 'not_due';
}

/** An agency answers only for its own records, on its own sector's topic. */
function checkOwner(
  row: { sector: string; agencyId: string } | undefined,
  answerer: Answerer,
  what: string,
): Refused | undefined {
  if (!row) return undefined;
  if (answerer.sector !== row.sector)
    return refuse(
      'not_owner',
      `${what} belongs to sector ${row.sector}, not to ${answerer.sector ?? '(none)'}`,
    );
  if (answerer.agencyId !== row.agencyId)
    return refuse(
      'not_owner',
      `${what} belongs to agency ${row.agencyId}, not to ${answerer.agencyId ?? '(none)'}`,
    );
  return undefined;
}
