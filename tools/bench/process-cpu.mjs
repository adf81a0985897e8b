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
 * `groups()` returns { name: [pids] }, asked at start and at stop: a process that appeared in
 * between (a new PostgreSQL backend) counts whole; one gone before the stop is missed.
 */
export async function cpuMeter(groups) {
  const read = (pids) =>
    Object.fromEntries(
      Object.entries(pids).map(([name, list]) => [name, new Map(list.map((p) => [p, cpuMicros(p)]))]),
    );
  const before = read(await groups());
  const self = process.cpuUsage();
  return {
    async stop(records) {
      const after = read(await groups());
      const used = process.cpuUsage(self);
      const perRecord = {};
      for (const [name, pids] of Object.entries(after)) {
        let total = 0;
        for (const [pid, us] of pids) if (Number.isFinite(us)) total += us - (before[name]?.get(pid) ?? 0);
        perRecord[name] = total / records;
      }
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
