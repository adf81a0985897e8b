import type { CanonicalRecord, RecordStatusName } from '../../domain/canonical-record.js';

/** The exchange's legal time zone: China Standard Time, UTC+8, with no daylight saving. */
const CHINA_STANDARD_TIME_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * The one "today" of the exchange: the calendar date (YYYY-MM-DD) of an instant in China Standard
 * Time, so every instance and every rule (disclosure periods, deadlines, repair dates) agrees on it.
 */
export function chinaDate(instant: Date): string {
  return new Date(instant.getTime() + CHINA_STANDARD_TIME_OFFSET_MS).toISOString().slice(0, 10);
}

/** Statuses in which a record is no longer disclosed to anyone. */
export const ENDED_STATUSES: readonly RecordStatusName[] = ['withdrawn', 'expired', 'repaired'];

export const isEnded = (status: RecordStatusName): boolean => ENDED_STATUSES.includes(status);

/** The last day of the disclosure period has passed (`disclosureUntil` itself is still disclosed). */
export const periodOver = (record: Pick<CanonicalRecord, 'disclosure'>, today: string): boolean =>
  record.disclosure.disclosureUntil < today;

/**
 * The one definition of "disclosed": a record may be shown or sent only while it has not ended
 * (withdrawn, expired, repaired) and its disclosure period runs on `today` (China Standard Time).
 */
export function isDisclosed(record: Pick<CanonicalRecord, 'status' | 'disclosure'>, today: string): boolean {
  return !isEnded(record.status) && !periodOver(record, today);
}
