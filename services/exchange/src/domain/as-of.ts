import { chinaDate } from '../delivery/domain/disclosure.js';

/** An `asOf` parameter resolved: the instant asked about, and its date in China Standard Time. */
export interface AsOf {
  instant: Date;
  /** YYYY-MM-DD (China Standard Time) of `instant`. */
  day: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// A timestamp names its offset: a time without one would mean whichever zone the server runs in.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `asOf` as a caller writes it: a date means the end of that day in China Standard Time (the
 * exchange's one "today"), a timestamp with its offset means that instant. Returns a reason when it
 * is neither, or a date that does not exist (2026-02-30).
 */
export function parseAsOf(raw: string): AsOf | { problem: string } {
  const value = raw.trim();
  if (DATE.test(value)) {
    const instant = new Date(`${value}T23:59:59.999+08:00`);
    if (Number.isNaN(instant.getTime()) || chinaDate(instant) !== value)
      return { problem: `asOf ${value} is not a calendar date` };
    return { instant, day: value };
  }
  if (TIMESTAMP.test(value)) {
    const instant = new Date(value);
    if (Number.isNaN(instant.getTime())) return { problem: `asOf ${value} is not a valid timestamp` };
    return { instant, day: chinaDate(instant) };
  }
  return {
    problem:
      'asOf must be a date (YYYY-MM-DD, the end of that day China time) or a timestamp with its offset',
  };
}
