import { WorkingCalendar } from './working-days.js';

describe('dispute deadlines in working days', () => {
  const calendar = new WorkingCalendar([
    '2026-10-01',
    '2026-10-02',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ]);

  it('counts five working days from the day after filing, skipping the weekend', () => {
    // Wednesday 2026-11-18 → Thu, Fri, Mon, Tue, Wed
    expect(calendar.deadline(new Date('2026-11-18T03:00:00Z'), 5)).toBe('2026-11-25');
  });

  it('skips configured holidays', () => {
    // Tuesday 2026-09-29: Wed 30 counts; Oct 1-2 holidays; 3-4 weekend; 5-7 holidays; then Thu 8, Fri 9, Mon 12, Tue 13
    expect(calendar.deadline(new Date('2026-09-29T02:00:00Z'), 5)).toBe('2026-10-13');
  });

  it('takes the date in China Standard Time: 17:00 UTC is already the next day', () => {
    expect(calendar.dateOf(new Date('2026-11-20T17:00:00Z'))).toBe('2026-11-21');
    // Filed late Friday UTC = Saturday in Beijing: the count starts after Saturday, Monday is day 1.
    expect(calendar.deadline(new Date('2026-11-20T17:00:00Z'), 1)).toBe('2026-11-23');
  });

  it('is overdue only once the deadline day has ended', () => {
    expect(calendar.isOverdue('2026-11-25', new Date('2026-11-25T15:59:59Z'))).toBe(false);
    expect(calendar.isOverdue('2026-11-25', new Date('2026-11-25T16:00:00Z'))).toBe(true);
  });

  it('knows weekends and holidays are not working days', () => {
    expect(calendar.isWorkingDay('2026-11-21')).toBe(false);
    expect(calendar.isWorkingDay('2026-10-01')).toBe(false);
    expect(calendar.isWorkingDay('2026-11-23')).toBe(true);
  });
});
