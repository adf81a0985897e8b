/** Where an upload is: what the progress bar and the summary are drawn from. */
export interface UploadProgress {
  /** Bytes of the file whose receipts came back (estimated from the average line length sent). */
  doneBytes: number;
  totalBytes: number;
  /** Receipts read back. */
  records: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;
/** Extrapolated from the first receipt alone, a 100,000-line upload showed "ETA 24 h 05 min". */
const MIN_FRACTION_FOR_ETA = 0.01;
const number = (n: number) => n.toLocaleString('en-US');

/** "12 s", "3 min 05 s", "1 h 02 min": short enough for one terminal line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const rate = (records: number, elapsedMs: number) =>
  elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0;

/**
 * One line of progress, e.g. `[######------------------]  25%  1,200 records  600 records/s  ETA 6 s`.
 * The ETA extrapolates the elapsed time over the bytes still to be answered; unknown until 1% are.
 */
export function formatProgress(p: UploadProgress): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.doneBytes / p.totalBytes) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const eta =
    fraction >= 1
      ? '0 s'
      : fraction >= MIN_FRACTION_FOR_ETA
        ? formatDuration((p.elapsedMs * (1 - fraction)) / fraction)
        : '?';
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${number(p.records)} records  ${number(rate(p.records, p.elapsedMs))} records/s  ETA ${eta}`;
}

/** The service's summary line (`{"summary": {"total": n, "<status>": n, ...}}`) as the CLI prints it. */
export function formatSummary(args: {
  file: string;
  summary: Record<string, number>;
  elapsedMs: number;
  rejected: number;
  rejectsFile: string;
}): string {
  const { summary } = args;
  const total = summary['total'] ?? 0;
  const statuses = Object.entries(summary)
    .filter(([status]) => status !== 'total')
    .sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(9, ...statuses.map(([s]) => s.length));
  const lines = [
    `${args.file}: ${number(total)} lines in ${(args.elapsedMs / 1000).toFixed(1)} s (${number(rate(total, args.elapsedMs))} records/s)`,
    ...statuses.map(([status, n]) => `  ${status.padEnd(width)} ${number(n).padStart(7)}`),
    args.rejected > 0
      ? `${number(args.rejected)} refused line(s), each with its field errors, in ${args.rejectsFile}`
      : `no line refused (${args.rejectsFile} is empty)`,
  ];
  return lines.join('\n');
}
