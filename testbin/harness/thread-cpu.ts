import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux this runs on). */
export const cpuTicksPerSecond = 100;

/**
 * utime + stime ticks per thread of a process (`self`: this one), by thread id, with each thread's comm name; undefined
 * once the process is gone (Linux /proc).
 */
export function readThreadCpuTicks(
  pid: number | 'self',
): Map<number, { name: string; ticks: number }> | undefined {
  const out = new Map<number, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The name may hold spaces and parentheses: the fields after it start behind the last ')'.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name.
      out.set(Number(tid), { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}
