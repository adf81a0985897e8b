import { v7 as uuidv7 } from 'uuid';

/** Time and ids are injected so that tests can fix them. */
export abstract class Clock {
  abstract now(): Date;
}
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export abstract class IdGenerator {
  /** A time-ordered UUID (v7). */
  abstract next(): string;
}
export class UuidV7Generator extends IdGenerator {
  next(): string {
    return uuidv7();
  }
}

/** China Standard Time (UTC+8, no daylight saving): the time zone deadlines are set in. */
const CHINA_STANDARD_TIME_OFFSET_MS = 8 * 3_600_000;

/** The calendar date (YYYY-MM-DD) of an instant in China Standard Time. */
export const chinaDate = (instant: Date): string =>
  new Date(instant.getTime() + CHINA_STANDARD_TIME_OFFSET_MS).toISOString().slice(0, 10);

/** A deadline (an ISO date, the last day allowed) has passed, by the calendar in China. */
export const isPastDue = (dueBy: string | null, now: Date): boolean =>
  dueBy !== null && chinaDate(now) > dueBy;
