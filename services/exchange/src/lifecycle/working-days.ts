import { IsArray, IsOptional, IsString, Matches } from 'class-validator';
import { loadJsonFile } from '@cie/platform';

/**
 * Dispute deadlines in working days (DESIGN §8): weekends and the configured public holidays do not
 * count. Dates are ISO 8601 calendar dates in the exchange's legal time zone (China Standard Time,
 * UTC+8, which has no daylight saving), so "today" is the same date for every instance.
 */
export class WorkingCalendar {
  private readonly holidays: ReadonlySet<string>;

  constructor(
    holidays: Iterable<string> = [],
    private readonly timeZoneOffsetMinutes = 8 * 60,
  ) {
    this.holidays = new Set(holidays);
  }

  isWorkingDay(date: string): boolean {
    const day = new Date(`${date}T00:00:00Z`).getUTCDay();
    return day !== 0 && day !== 6 && !this.holidays.has(date);
  }

  /** The calendar date of an instant in the exchange's time zone. */
  dateOf(instant: Date): string {
    return new Date(instant.getTime() + this.timeZoneOffsetMinutes * 60_000).toISOString().slice(0, 10);
  }

  /**
   * The last day to act when something arrives at `filedAt` and must be dealt with within `days`
   * working days: the day of filing does not count, the deadline is the `days`-th working day after it.
   */
  deadline(filedAt: Date, days: number): string {
    let date = this.dateOf(filedAt);
    for (let counted = 0; counted < days;) {
      date = nextDate(date);
      if (this.isWorkingDay(date)) counted += 1;
    }
    return date;
  }

  /** Past its deadline: the deadline day has ended. */
  isOverdue(dueBy: string, now: Date): boolean {
    return this.dateOf(now) > dueBy;
  }
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

class HolidayFile {
  @IsOptional()
  @IsString()
  comment?: string;

  @IsArray()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, {
    each: true,
    message: 'each holiday must be an ISO 8601 date (YYYY-MM-DD)',
  })
  holidays!: string[];
}

/** The working calendar from HOLIDAYS_FILE; problems name the file and the entry. */
export function loadWorkingCalendar(file: string): WorkingCalendar {
  return new WorkingCalendar(loadJsonFile('HOLIDAYS_FILE', file, HolidayFile).holidays);
}
