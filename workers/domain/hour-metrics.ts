import { LatencySketch } from './latency-sketch.js';
import { clampedQuantile, type MinuteMetricsRow } from './minute-metrics.js';

export const hourMs = 3_600_000;

/**
 * One row of request_metrics_hour: one (hour, service, method, path), the exact merge of its minute rows.
 * Same columns as a minute row with the hour's start in place of the minute's, so both tables are read by the
 * same SQL. Exists because dashboards over days merge thousands of minute histograms per endpoint; an hour row
 * merges 60 of them once, at rollup time.
 */
export type HourMetricsRow = Omit<MinuteMetricsRow, 'minuteMs'> & { hourMs: number };

interface HourAccumulator {
  row: HourMetricsRow;
  sketch: LatencySketch;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Hour rows sort by (hour, service, method, path): endpoints of a service sit together in a file. */
export function compareHourKeys(a: HourMetricsRow, b: HourMetricsRow): number {
  return (
    a.hourMs - b.hourMs ||
    compareText(a.service, b.service) ||
    compareText(a.method, b.method) ||
    compareText(a.path, b.path)
  );
}

function emptyHourRow(hour: number, key: MinuteMetricsRow): HourMetricsRow {
  return {
    hourMs: hour,
    service: key.service,
    method: key.method,
    path: key.path,
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    latencySumMs: 0,
    latencyMinMs: Infinity,
    latencyMaxMs: -Infinity,
    latencyP50Ms: 0,
    latencyP95Ms: 0,
    latencyP99Ms: 0,
    latency: { zeroCount: 0, indexes: [], counts: [] },
  };
}

/**
 * Merges minute rows into hour rows: counts and latency sums add up, min/max combine, histograms add bucket by
 * bucket (exact, so percentiles keep the sketch's 1% accuracy), and p50/p95/p99 are read from the merged
 * histogram. Rows are visited in input order, so float sums are deterministic for a deterministic input.
 */
export function rollUpMinutesToHours(minutes: readonly MinuteMetricsRow[]): HourMetricsRow[] {
  const groups = new Map<string, HourAccumulator>();
  for (const m of minutes) {
    const hour = m.minuteMs - (((m.minuteMs % hourMs) + hourMs) % hourMs);
    const key = `${hour}\u0000${m.service}\u0000${m.method}\u0000${m.path}`;
    let acc = groups.get(key);
    if (!acc) {
      acc = { row: emptyHourRow(hour, m), sketch: new LatencySketch() };
      groups.set(key, acc);
    }
    const row = acc.row;
    row.requests += m.requests;
    row.errors5xx += m.errors5xx;
    row.errors4xx += m.errors4xx;
    row.latencySumMs += m.latencySumMs;
    row.latencyMinMs = Math.min(row.latencyMinMs, m.latencyMinMs);
    row.latencyMaxMs = Math.max(row.latencyMaxMs, m.latencyMaxMs);
    acc.sketch.addBuckets(m.latency);
  }
  const rows = [...groups.values()].map(({ row, sketch }) => {
    const [min, max] = [row.latencyMinMs, row.latencyMaxMs];
    return {
      ...row,
      latencyP50Ms: clampedQuantile(sketch, 0.5, min, max),
      latencyP95Ms: clampedQuantile(sketch, 0.95, min, max),
      latencyP99Ms: clampedQuantile(sketch, 0.99, min, max),
      latency: sketch.toBuckets(),
    };
  });
  return rows.sort(compareHourKeys);
}
