// Memory of a process, read from /proc (Linux): what the benchmarks report.
import fs from 'node:fs';

/** VmRSS and VmHWM (peak) of a process, in kB. */
export function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Samples VmRSS every 200 ms until stopped; keeps only the maximum and the count. */
export function sampler(pid) {
  let max = 0;
  let samples = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memory(pid).rss);
      samples++;
    } catch {
      /* process gone: the run will fail and say so */
    }
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return { max, samples };
    },
  };
}
