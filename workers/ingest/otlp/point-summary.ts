import type { BucketLatency } from './histogram-buckets.js';
import { own } from './otlp-values.js';

/**
 * What an OTLP histogram point says of its requests besides its buckets, in ms (docs/adr/0096): `sum` (optional in
 * OTLP), and `min` / `max` (optional, and only meaningful for a delta point: a cumulative point's extremes cover the
 * series' whole life).
 */
export interface PointSummary {
  sumMs?: number;
  minMs?: number;
  maxMs?: number;
}

/** A bucket with its share of the point's exact sum, and the point's min/max on its lowest/highest bucket. */
export type SummarizedBucket = BucketLatency & PointSummary;

/** A point's `sum`, `min` and `max` in ms; a problem when one is set but is no duration (negative, not finite). */
export function readPointSummary(
  point: unknown,
  toMs: number,
): { summary: PointSummary; problem?: { field: string; message: string } } {
  const summary: PointSummary = {};
  for (const [field, key] of [
    ['sum', 'sumMs'],
    ['min', 'minMs'],
    ['max', 'maxMs'],
  ] as const) {
    const value = own(point, field);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
      return {
        summary: {},
        problem: { field, message: `${field} must be a duration: a finite number >= 0` },
      };
    summary[key] = value * toMs;
  }
  return { summary };
}

/**
 * Shares the point's exact latency sum among its buckets in proportion to count x representative latency (all
 * by count when every representative is 0), so the rows' latency sum is the point's and not the buckets' guess;
 * puts the point's min on its lowest bucket and its max on its highest (buckets come in rising order).
 */
export function applyPointSummary(
  buckets: readonly BucketLatency[],
  summary: PointSummary,
): SummarizedBucket[] {
  const out: SummarizedBucket[] = buckets.map((b) => ({ ...b }));
  if (out.length === 0) return out;
  const { sumMs, minMs, maxMs } = summary;
  if (sumMs !== undefined) {
    const weights = out.map((b) => b.count * b.latencyMs);
    const total = weights.reduce((a, b) => a + b, 0);
    const requests = out.reduce((a, b) => a + b.count, 0);
    out.forEach((b, i) => {
      b.sumMs = total > 0 ? (sumMs * weights[i]!) / total : (sumMs * b.count) / requests;
    });
  }
  if (minMs !== undefined) out[0]!.minMs = minMs;
  if (maxMs !== undefined) out[out.length - 1]!.maxMs = maxMs;
  return out;
}
