// CPU time of processes, read from /proc (Linux): what the benchmarks report per record.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond;
const clockTicks = () => {
  if (ticksPerSecond) return ticksPerSecond;
  try {
    ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
};

/** utime + stime of a process in µs, or NaN when it is gone or unreadable. */
export function cpuMicros(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
  } catch {
    return NaN;
  }
}

/**
 * CPU of named groups of processes between `start()` and `stop(records)`, in µs per record.
 * `groups()` returns { name: [pids] } and is asked at start (processes that come and go in between,
 * e.g. a new PostgreSQL backend, are missed: the report says which pids it read).
 */
export async function cpuMeter(groups) {
  const pids = await groups();
  const read = () =>
    Object.fromEntries(
      Object.entries(pids).map(([name, list]) => [name, list.reduce((s, p) => s + cpuMicros(p), 0)]),
    );
  const before = read();
  const self = process.cpuUsage();
  return {
    pids,
    stop(records) {
      const after = read();
      const used = process.cpuUsage(self);
      const perRecord = Object.fromEntries(
        Object.keys(pids).map((name) => [name, (after[name] - before[name]) / records]),
      );
      perRecord.benchmark = (used.user + used.system) / records;
      return perRecord;
    },
  };
}

/** "exchange 812, postgres 401, broker 350, benchmark 120 µs/record" */
export function cpuLine(perRecord) {
  return `${Object.entries(perRecord)
    .map(([name, us]) => `${name} ${Number.isFinite(us) ? us.toFixed(0) : 'n/a'}`)
    .join(', ')} µs/record`;
}
