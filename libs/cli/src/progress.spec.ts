import { formatDuration, formatProgress, formatSummary } from './progress.js';

describe('the progress bar of cie submit', () => {
  it('shows the share answered, the records, their rate and the time left', () => {
    expect(formatProgress({ doneBytes: 250, totalBytes: 1000, records: 1200, elapsedMs: 2000 })).toBe(
      '[######------------------]  25%  1,200 records  600 records/s  ETA 6 s',
    );
  });

  it('has no ETA before the first receipt, and none left at the end', () => {
    expect(formatProgress({ doneBytes: 0, totalBytes: 1000, records: 0, elapsedMs: 0 })).toBe(
      '[------------------------]   0%  0 records  0 records/s  ETA ?',
    );
    // One receipt of a 100,000-line file is no ground for a guess (it said "ETA 24 h 05 min").
    expect(formatProgress({ doneBytes: 530, totalBytes: 53_000_000, records: 1, elapsedMs: 900 })).toMatch(
      /ETA \?$/,
    );
    expect(formatProgress({ doneBytes: 1000, totalBytes: 1000, records: 10, elapsedMs: 500 })).toMatch(
      /^\[#{24}\] 100% {2}10 records {2}20 records\/s {2}ETA 0 s$/,
    );
  });

  it('writes durations short: seconds, then minutes, then hours', () => {
    expect(formatDuration(400)).toBe('0 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
  });
});

describe('the summary of cie submit', () => {
  it('lists each status the service counted and where the refused lines are', () => {
    expect(
      formatSummary({
        file: 'courts.ndjson',
        summary: { total: 5, accepted: 3, refused: 2 },
        elapsedMs: 1250,
        rejected: 2,
        rejectsFile: 'courts.ndjson.rejects.ndjson',
      }),
    ).toBe(
      [
        'courts.ndjson: 5 lines in 1.3 s (4 records/s)',
        '  accepted        3',
        '  refused         2',
        '2 refused line(s), each with its field errors, in courts.ndjson.rejects.ndjson',
      ].join('\n'),
    );
  });

  it('says so when nothing was refused', () => {
    expect(
      formatSummary({
        file: 'a.ndjson',
        summary: { total: 1, duplicate: 1 },
        elapsedMs: 100,
        rejected: 0,
        rejectsFile: 'r',
      }),
    ).toMatch(/no line refused \(r is empty\)$/);
  });
});
