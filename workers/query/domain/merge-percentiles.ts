import { LatencySketch } from '../../domain/latency-sketch.js';
import type { BucketRow, GroupKey } from '../query-engine.js';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export const groupKeyOf = (k: GroupKey): string =>
  JSON.stringify([k.t ?? null, k.service ?? null, k.method ?? null, k.path ?? null]);

const round = (v: number | undefined): number | null =>
  v === undefined ? null : Math.round(v * 1000) / 1000;

/** Merges bucket rows per group into one sketch each and reads p50/p95/p99 from it. */
export function mergePercentiles(rows: readonly BucketRow[]): Map<string, Percentiles> {
  const sketches = new Map<string, LatencySketch>();
  for (const row of rows) {
    const key = groupKeyOf(row);
    let sketch = sketches.get(key);
    if (!sketch) {
      sketch = new LatencySketch();
      sketches.set(key, sketch);
    }
    if (row.index === null) sketch.addBuckets({ zeroCount: row.count, indexes: [], counts: [] });
    else sketch.addBuckets({ zeroCount: 0, indexes: [row.index], counts: [row.count] });
  }
  const result = new Map<string, Percentiles>();
  for (const [key, sketch] of sketches) {
    result.set(key, {
      p50: round(sketch.quantile(0.5)),
      p95: round(sketch.quantile(0.95)),
      p99: round(sketch.quantile(0.99)),
    });
  }
  return result;
}

export const noPercentiles: Percentiles = { p50: null, p95: null, p99: null };
