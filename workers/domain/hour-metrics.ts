import { LatencySketch, type LatencyBucketsView } from './latency-sketch.js';
import {
  addStatusClasses,
  clampedQuantile,
  compareEndpointKeys,
  type MinuteMetricsRow,
} from './minute-metrics.js';

export const hourMs = 3_600_000;
export const dayMs = 86_400_000;

/** Everything a metrics row holds besides its key. */
export type MetricsCells = Omit<MinuteMetricsRow, 'minuteMs' | 'service' | 'method' | 'path'>;

/**
 * One row of request_metrics_hour: one (hour, service, method, path), the exact merge of its minute rows.
 * Same columns as a minute row with the hour's start in place of the minute's, so both tables are read by the
 * same SQL. Exists because dashboards over days merge thousands of minute histograms per endpoint; an hour row
 * merges 60 of them once, at rollup time.
 */
export type HourMetricsRow = Omit<MinuteMetricsRow, 'minuteMs'> & { hourMs: number };

/**
 * One row of request_metrics_day_quarters / request_metrics_open_day_quarters: one (quarter-hour, endpoint), the
 * exact merge of its minute rows (docs/adr/0141). A 24-hour chart steps by 15 minutes: 4 rows per hour, not 60.
 */
export type QuarterMetricsRow = Omit<MinuteMetricsRow, 'minuteMs'> & { quarterMs: number };

/**
 * One row of service_metrics_minute / service_metrics_hour: every endpoint of a service merged, per minute or
 * per hour. Charts of a whole service (or of all services, merging 20 rows instead of 1,000) read these.
 */
export type ServiceMetricsRow = MetricsCells & { startMs: number; service: string };

export type RollupLevel = 'endpoint' | 'service';
export type RollupResolution = 'minute' | 'quarter' | 'hour' | 'day';

export interface MetricsMerge {
  key: { startMs: number; service: string; method: string; path: string };
  cells: MetricsCells;
  sketch: LatencySketch;
}

const spans = { minute: 60_000, quarter: 15 * 60_000, hour: hourMs, day: dayMs } as const;
/** The start of the minute, quarter-hour, hour or UTC day that holds `ms`. */
export const startOfSpan = (ms: number, resolution: RollupResolution) =>
  ms - (((ms % spans[resolution]) + spans[resolution]) % spans[resolution]);

function emptyCells(): MetricsCells {
  return {
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    status1xx: 0,
    status2xx: 0,
    status3xx: 0,
    estimatedRequests: 0,
    latencySumMs: 0,
    latencyMinMs: Infinity,
    latencyMaxMs: -Infinity,
    latencyP50Ms: 0,
    latencyP95Ms: 0,
    latencyP99Ms: 0,
    latency: { zeroCount: 0, indexes: [], counts: [] },
  };
}

/** What a merge adds up of a row: everything but its key and its percentiles (read from the merged histogram). */
export type MergeInput = Omit<MetricsCells, 'latencyP50Ms' | 'latencyP95Ms' | 'latencyP99Ms' | 'latency'> & {
  latency: LatencyBucketsView;
};

/**
 * One group's running merge. rollUpMinutes and the tile builds that read minute files column by column
 * (minute-file-quarters.ts) share it, so both give the same bits for the same rows in the same order.
 */
export function startMerge(key: MetricsMerge['key']): MetricsMerge {
  return { key, cells: emptyCells(), sketch: new LatencySketch() };
}

export function addToMerge(acc: MetricsMerge, m: MergeInput): void {
  const cells = acc.cells;
  cells.requests += m.requests;
  cells.errors5xx += m.errors5xx;
  cells.errors4xx += m.errors4xx;
  Object.assign(cells, addStatusClasses(cells, m));
  cells.estimatedRequests += m.estimatedRequests;
  cells.latencySumMs += m.latencySumMs;
  cells.latencyMinMs = Math.min(cells.latencyMinMs, m.latencyMinMs);
  cells.latencyMaxMs = Math.max(cells.latencyMaxMs, m.latencyMaxMs);
  acc.sketch.addBuckets(m.latency);
}

export function finishMerge(merge: MetricsMerge): MetricsMerge['key'] & MetricsCells {
  return { ...merge.key, ...finishCells(merge) };
}

/** A merge's cells, its percentiles read from the merged histogram and clamped to the exact min/max. */
export function finishCells({ cells, sketch }: MetricsMerge): MetricsCells {
  const [min, max] = [cells.latencyMinMs, cells.latencyMaxMs];
  return {
    requests: cells.requests,
    errors5xx: cells.errors5xx,
    errors4xx: cells.errors4xx,
    status1xx: cells.status1xx,
    status2xx: cells.status2xx,
    status3xx: cells.status3xx,
    estimatedRequests: cells.estimatedRequests,
    latencySumMs: cells.latencySumMs,
    latencyMinMs: min,
    latencyMaxMs: max,
    latencyP50Ms: clampedQuantile(sketch, 0.5, min, max),
    latencyP95Ms: clampedQuantile(sketch, 0.95, min, max),
    latencyP99Ms: clampedQuantile(sketch, 0.99, min, max),
    latency: sketch.toBuckets(),
  };
}

/**
 * Merges minute rows into coarser rows: per hour and/or per service (all endpoints). Counts and latency sums add
 * up, min/max combine, histograms add bucket by bucket (exact, so percentiles keep the sketch's 1% accuracy),
 * and p50/p95/p99 are read from the merged histogram. Rows are visited in input order, so float sums are
 * deterministic for a deterministic input; output is sorted by (start, service, method, path).
 */
export function rollUpMinutes(
  minutes: readonly MinuteMetricsRow[],
  resolution: RollupResolution,
  level: RollupLevel,
): (MetricsMerge['key'] & MetricsCells)[] {
  const groups = new Map<string, MetricsMerge>();
  for (const m of minutes) {
    const key = {
      startMs: startOfSpan(m.minuteMs, resolution),
      service: m.service,
      method: level === 'endpoint' ? m.method : '',
      path: level === 'endpoint' ? m.path : '',
    };
    const id = `${key.startMs}\u0000${key.service}\u0000${key.method}\u0000${key.path}`;
    let acc = groups.get(id);
    if (!acc) {
      acc = startMerge(key);
      groups.set(id, acc);
    }
    addToMerge(acc, m);
  }
  return [...groups.values()]
    .map(finishMerge)
    .sort((a, b) => a.startMs - b.startMs || compareEndpointKeys(a, b));
}

/**
 * One row of request_metrics_day: one (UTC day, service, method, path), the exact merge of the day's hour rows.
 * Week-long endpoint tables (sorted by p95, say) merge 7 of these per endpoint instead of 168 hour rows.
 */
export type DayMetricsRow = Omit<MinuteMetricsRow, 'minuteMs'> & { dayMs: number };

export function rollUpHoursToDays(hours: readonly HourMetricsRow[]): DayMetricsRow[] {
  const asRows = hours.map(({ hourMs: start, ...row }) => ({ minuteMs: start, ...row }));
  return rollUpMinutes(asRows, 'day', 'endpoint').map(({ startMs, ...row }) => ({ dayMs: startMs, ...row }));
}

export function rollUpMinutesToHours(minutes: readonly MinuteMetricsRow[]): HourMetricsRow[] {
  return rollUpMinutes(minutes, 'hour', 'endpoint').map(({ startMs, ...row }) => ({
    hourMs: startMs,
    ...row,
  }));
}

/** Minute rows merged per (quarter-hour, endpoint), for the quarter-hour day and open-day tiles. */
export function rollUpMinutesToQuarters(minutes: readonly MinuteMetricsRow[]): QuarterMetricsRow[] {
  return rollUpMinutes(minutes, 'quarter', 'endpoint').map(({ startMs, ...row }) => ({
    quarterMs: startMs,
    ...row,
  }));
}

/** Service rows (of any span within a quarter) merged per (quarter-hour, service), for the open-day tiles. */
export function rollUpServicesToQuarters(rows: readonly ServiceMetricsRow[]): ServiceMetricsRow[] {
  return rollUpServiceRows(rows, 'quarter');
}

/** Service rows (of any span within an hour) merged per (hour, service), for the open-hour tiles. */
export function rollUpServicesToHours(rows: readonly ServiceMetricsRow[]): ServiceMetricsRow[] {
  return rollUpServiceRows(rows, 'hour');
}

function rollUpServiceRows(rows: readonly ServiceMetricsRow[], resolution: 'quarter' | 'hour') {
  const asRows = rows.map(({ startMs, ...row }) => ({ minuteMs: startMs, method: '', path: '', ...row }));
  return rollUpMinutes(asRows, resolution, 'service').map(({ method: _m, path: _p, ...row }) => row);
}

export function rollUpToServices(
  minutes: readonly MinuteMetricsRow[],
  resolution: RollupResolution,
): ServiceMetricsRow[] {
  return rollUpMinutes(minutes, resolution, 'service').map(({ method: _m, path: _p, ...row }) => row);
}
