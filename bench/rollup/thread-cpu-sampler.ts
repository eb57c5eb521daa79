import { cpuTicksPerSecond, readThreadCpuTicks } from '../../testbin/harness/thread-cpu.js';

export interface ThreadCpu {
  tid: number;
  /** The thread's comm name; `main` for the process's own thread. */
  name: string;
  cpuSeconds: number;
}

export interface ThreadCpuReport {
  threads: ThreadCpu[];
  /**
   * Per sampling interval: seconds since the first sample, then the CPU share (0-1) of the main thread, of the
   * busiest other thread over the whole run (the scan worker) and of every other thread summed.
   */
  timeline: [number, number, number, number][];
  /** Sampled wall seconds in which the main thread / the scan thread used less than a fifth of a core. */
  idleSeconds: { main: number; scan: number };
}

/**
 * Samples every thread's CPU time of a running process (Linux /proc) so a bench can say which core sat idle when:
 * wall time on a shared 2-core machine says little, per-thread CPU over time says where the pipeline waits.
 */
export function sampleThreadCpu(pid: number, intervalMs = 100): { stop(): ThreadCpuReport } {
  const samples: { at: number; ticks: Map<number, { name: string; ticks: number }> }[] = [];
  const take = () => {
    const ticks = readThreadCpuTicks(pid);
    if (ticks) samples.push({ at: performance.now(), ticks });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return summarise(pid, samples);
    },
  };
}

function summarise(
  pid: number,
  samples: { at: number; ticks: Map<number, { name: string; ticks: number }> }[],
): ThreadCpuReport {
  const last = new Map<number, { name: string; ticks: number }>();
  for (const sample of samples) for (const [tid, t] of sample.ticks) last.set(tid, t);
  const threads = [...last]
    .map(([tid, t]) => ({
      tid,
      name: tid === pid ? 'main' : t.name,
      cpuSeconds: t.ticks / cpuTicksPerSecond,
    }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const scanTid = threads.find((t) => t.tid !== pid)?.tid;
  const timeline: ThreadCpuReport['timeline'] = [];
  const idleSeconds = { main: 0, scan: 0 };
  for (let i = 1; i < samples.length; i++) {
    const [before, after] = [samples[i - 1]!, samples[i]!];
    const seconds = (after.at - before.at) / 1000;
    // A thread that ended between the two samples (the scan worker at the end) used nothing more.
    const used = (tid: number | undefined) => {
      const end = tid === undefined ? undefined : after.ticks.get(tid)?.ticks;
      return end === undefined ? 0 : (end - (before.ticks.get(tid!)?.ticks ?? 0)) / cpuTicksPerSecond;
    };
    let others = 0;
    for (const tid of after.ticks.keys()) if (tid !== pid && tid !== scanTid) others += used(tid);
    const [main, scan] = [used(pid) / seconds, used(scanTid) / seconds];
    if (main < 0.2) idleSeconds.main += seconds;
    if (scan < 0.2) idleSeconds.scan += seconds;
    const round = (x: number) => Math.round(x * 100) / 100;
    timeline.push([
      round((after.at - samples[0]!.at) / 1000),
      round(main),
      round(scan),
      round(others / seconds),
    ]);
  }
  return {
    threads: threads.filter((t) => t.cpuSeconds > 0),
    timeline,
    idleSeconds: {
      main: Math.round(idleSeconds.main * 100) / 100,
      scan: Math.round(idleSeconds.scan * 100) / 100,
    },
  };
}
