/**
 * Where a batch's time goes, per tenant and stage, for benches only (issue #17.5: the abusive-tenant bench's
 * evidence). Nothing in the product sets it: IngestAppDeps.stageTimings is undefined unless a bench passes one to
 * startIngestServer, and every call site skips the clock when it is.
 *
 * `loopMs` is the wall time of a synchronous stage on the event loop, which is what a neighbour's request waits
 * behind (on a loaded machine it includes time the thread was not scheduled); `cpuMs` is the process's CPU time
 * over the same span (getrusage: other threads too, e.g. the segment packer); a sliced stage (docs/adr/0107) is
 * measured per slice, its `count` the slices and `max*` the longest one. The waits (`turn`: for one of the
 * tenant's turns, `read`: the body arriving, `cpuTurn`: the read body waiting for its tenant's turn at the CPU,
 * `append`: the group commit) are wall time only.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { SlicedWork } from '../domain/fair-cpu-turns.js';

export type IngestStage = 'turn' | 'read' | 'cpuTurn' | 'parse' | 'validate' | 'append';

const syncStages: ReadonlySet<IngestStage> = new Set(['parse', 'validate']);

interface StageTotals {
  count: number;
  loopNs: bigint;
  cpuUs: number;
  /** The longest single span: for sliced stages, what one slice held the event loop for. */
  maxLoopNs: bigint;
  maxCpuUs: number;
}

export type StageReport = Record<
  string,
  Partial<
    Record<
      IngestStage,
      { count: number; loopMs: number; cpuMs?: number; maxLoopMs?: number; maxCpuMs?: number }
    >
  >
>;

export class StageTimings {
  private readonly totals = new Map<string, Map<IngestStage, StageTotals>>();
  /** Each request's time in the server, from its endpoint's start to its answer being written, per tenant. */
  private readonly latencies = new Map<string, RecordableHistogram>();

  /** Records a request's time in the server (process.hrtime.bigint() at its start), answered or refused. */
  answered(tenant: string, startedNs: bigint): void {
    let histogram = this.latencies.get(tenant);
    if (!histogram) this.latencies.set(tenant, (histogram = createHistogram()));
    histogram.record(Math.max(1, Number(process.hrtime.bigint() - startedNs)));
  }

  /** Per tenant, the requests' time in the server: count and p50/p99/max, milliseconds. */
  latencyReport(): Record<string, { count: number; p50Ms: number; p99Ms: number; maxMs: number }> {
    const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
    return Object.fromEntries(
      [...this.latencies].map(([tenant, h]) => [
        tenant,
        { count: h.count, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) },
      ]),
    );
  }

  /** Runs a synchronous stage, charging its loop time and CPU time to the tenant (also when it throws). */
  measure<T>(tenant: string, stage: IngestStage, run: () => T): T {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    try {
      return run();
    } finally {
      const used = process.cpuUsage(cpu);
      this.add(tenant, stage, process.hrtime.bigint() - started, used.user + used.system);
    }
  }

  /** Charges a wait that started at `startedNs` (process.hrtime.bigint()) and ends now. */
  waited(tenant: string, stage: IngestStage, startedNs: bigint): void {
    this.add(tenant, stage, process.hrtime.bigint() - startedNs, 0);
  }

  /** Totals per tenant and stage, milliseconds. */
  report(): StageReport {
    const report: StageReport = {};
    for (const [tenant, stages] of this.totals) {
      const entry: StageReport[string] = {};
      for (const [stage, t] of stages) {
        entry[stage] = {
          count: t.count,
          loopMs: Math.round(Number(t.loopNs) / 1e6),
          ...(syncStages.has(stage) && {
            cpuMs: Math.round(t.cpuUs / 1000),
            maxLoopMs: Number((Number(t.maxLoopNs) / 1e6).toFixed(2)),
            maxCpuMs: Number((t.maxCpuUs / 1000).toFixed(2)),
          }),
        };
      }
      report[tenant] = entry;
    }
    return report;
  }

  private add(tenant: string, stage: IngestStage, ns: bigint, cpuUs: number): void {
    let stages = this.totals.get(tenant);
    if (!stages) this.totals.set(tenant, (stages = new Map()));
    const t = stages.get(stage) ?? { count: 0, loopNs: 0n, cpuUs: 0, maxLoopNs: 0n, maxCpuUs: 0 };
    t.count += 1;
    t.loopNs += ns;
    t.cpuUs += cpuUs;
    if (ns > t.maxLoopNs) t.maxLoopNs = ns;
    if (cpuUs > t.maxCpuUs) t.maxCpuUs = cpuUs;
    stages.set(stage, t);
  }
}

/** `run()` measured when the timings are on, called bare otherwise (the product's path). */
export function timed<T>(
  timings: StageTimings | undefined,
  tenant: string,
  stage: IngestStage,
  run: () => T,
): T {
  return timings ? timings.measure(tenant, stage, run) : run();
}

/**
 * Sliced work (SlicedWork) with each slice measured when the timings are on; `firstSlice` is called as the first
 * slice starts (after the announcement, which does no work), so a wait for the turn can end there.
 */
export function* timedSteps<T>(
  timings: StageTimings | undefined,
  tenant: string,
  stage: IngestStage,
  steps: SlicedWork<T>,
  firstSlice?: () => void,
): SlicedWork<T> {
  if (!timings) return yield* steps;
  const announced = steps.next();
  if (announced.done) return announced.value;
  yield announced.value;
  firstSlice?.();
  for (;;) {
    const step = timings.measure(tenant, stage, () => steps.next());
    if (step.done) return step.value;
    yield step.value;
  }
}

/** A wait's start, when the timings are on. */
export const waitStart = (timings: StageTimings | undefined): bigint | undefined =>
  timings ? process.hrtime.bigint() : undefined;

/** Charges a wait begun at `started` (from waitStart), when the timings are on. */
export function waitEnd(
  timings: StageTimings | undefined,
  tenant: string,
  stage: IngestStage,
  started: bigint | undefined,
): void {
  if (timings && started !== undefined) timings.waited(tenant, stage, started);
}
