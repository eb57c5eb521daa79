import { latencyBucketValue } from '../../domain/latency-sketch.js';
import type { LatencyHeatmapResponse } from '../api-types.js';
import type { HistogramRow } from '../app/query-engine.js';
import { stepStarts } from './choose-step.js';

/**
 * Upper edges (ms) of the heatmap's latency bands: a 1-2-5 ladder from 0.1 ms to 100 s, so band labels read as
 * round numbers, plus an open band above the last edge. A stored histogram has ~230 buckets per decade; drawn
 * as rows, that would be a smear, and a heatmap a person reads in an incident needs a few dozen rows at most.
 */
export const heatmapEdgesMs: readonly number[] = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
];

/**
 * The band a stored bucket counts in: the one holding the bucket's representative value, the value the API's
 * percentiles report for it. So a p95 of 480 ms is always drawn inside the 200–500 ms band, never beside it; a
 * request within 1% of an edge may count in the neighbouring band (the histogram's own accuracy).
 */
export function heatmapBand(bucketIndex: number): number {
  const value = latencyBucketValue(bucketIndex);
  const band = heatmapEdgesMs.findIndex((edge) => value <= edge);
  return band === -1 ? heatmapEdgesMs.length : band;
}

export interface HeatmapRequest {
  from: number;
  to: number;
  stepMs: number;
  filter: LatencyHeatmapResponse['filter'];
}

/**
 * Each step's merged histogram (engine rows grouped by step) folded into the latency bands. Zero latencies count in
 * the lowest band. Only the bands from the lowest to the highest that holds any request are answered, so a service
 * whose requests all take 10–500 ms gets six rows, not twenty.
 */
export function buildLatencyHeatmap(
  rows: readonly HistogramRow[],
  req: HeatmapRequest,
): LatencyHeatmapResponse {
  const bandCount = heatmapEdgesMs.length + 1;
  const byStep = new Map<number, number[]>();
  for (const row of rows) {
    const counts = byStep.get(row.t!) ?? new Array<number>(bandCount).fill(0);
    counts[0] = counts[0]! + row.latencyZero;
    row.bucketIndex.forEach((index, i) => {
      const band = heatmapBand(index);
      counts[band] = counts[band]! + (row.bucketCount[i] ?? 0);
    });
    byStep.set(row.t!, counts);
  }
  const used = [...byStep.values()].flatMap((counts) => counts.flatMap((c, band) => (c > 0 ? [band] : [])));
  const lowest = used.length === 0 ? 0 : Math.min(...used);
  const highest = used.length === 0 ? -1 : Math.max(...used);
  const bands: LatencyHeatmapResponse['bands'] = [];
  for (let band = lowest; band <= highest; band++) {
    bands.push({ lowMs: band === 0 ? 0 : heatmapEdgesMs[band - 1]!, highMs: heatmapEdgesMs[band] ?? null });
  }
  let maxCount = 0;
  const points = stepStarts(req.from, req.to, req.stepMs).map((t) => {
    const counts = (byStep.get(t) ?? []).slice(lowest, highest + 1);
    const kept = bands.map((_, i) => counts[i] ?? 0);
    maxCount = Math.max(maxCount, ...kept);
    return { t, total: kept.reduce((a, b) => a + b, 0), counts: kept };
  });
  return { from: req.from, to: req.to, stepMs: req.stepMs, filter: req.filter, bands, maxCount, points };
}
