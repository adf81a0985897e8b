import { randomFillSync } from 'node:crypto';
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
/**
 * UUIDv7 from uuid, with its random bits drawn from a pool refilled 4 kB at a time: uuid asks the
 * system for 16 random bytes per id (getRandomValues), 3.4 % of the exchange's CPU under load. The
 * ids stay strictly increasing within a process, as uuid's own v7 makes them: a random 31-bit
 * counter at each new millisecond, incremented within one (a wrap moves to the next millisecond).
 */
export class UuidV7Generator extends IdGenerator {
  private readonly pool = new Uint8Array(4096);
  private used = this.pool.length;
  private msecs = -Infinity;
  private seq = 0;

  next(): string {
    if (this.used + 16 > this.pool.length) {
      randomFillSync(this.pool);
      this.used = 0;
    }
    const random = this.pool.subarray(this.used, (this.used += 16));
    const now = Date.now();
    if (now > this.msecs) {
      this.msecs = now;
      this.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    } else {
      this.seq = (this.seq + 1) | 0;
      if (this.seq === 0) this.msecs += 1;
    }
    return uuidv7({ random, msecs: this.msecs, seq: this.seq });
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
