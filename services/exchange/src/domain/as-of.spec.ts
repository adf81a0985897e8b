import { parseAsOf } from './as-of.js';

describe('asOf', () => {
  it('Given a date, When parsed, Then it means the end of that day in China Standard Time', () => {
    expect(parseAsOf('2026-11-30')).toEqual({
      instant: new Date('2026-11-30T15:59:59.999Z'),
      day: '2026-11-30',
    });
  });

  it('Given a timestamp with its offset, When parsed, Then it is that instant and its China date', () => {
    expect(parseAsOf('2026-11-30T17:00:00Z')).toEqual({
      instant: new Date('2026-11-30T17:00:00Z'),
      day: '2026-12-01',
    });
    expect(parseAsOf('2026-11-30T08:00+08:00')).toEqual({
      instant: new Date('2026-11-30T00:00:00Z'),
      day: '2026-11-30',
    });
  });

  it('Given a date that does not exist, a time without offset or text, When parsed, Then the problem is said', () => {
    expect(parseAsOf('2026-02-30')).toEqual({ problem: 'asOf 2026-02-30 is not a calendar date' });
    expect(parseAsOf('2026-11-30T08:00:00')).toMatchObject({ problem: expect.stringMatching(/offset/) });
    expect(parseAsOf('yesterday')).toMatchObject({ problem: expect.stringMatching(/YYYY-MM-DD/) });
  });
});
