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
