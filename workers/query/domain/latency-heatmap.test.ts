import fc from 'fast-check';
import { latencyBucketIndex, latencyBucketValue } from '../../domain/latency-sketch.js';
import type { HistogramRow } from '../app/query-engine.js';
import { buildLatencyHeatmap, heatmapBand, heatmapEdgesMs } from './latency-heatmap.js';

const t0 = Date.parse('2026-11-20T10:00:00Z');
const minute = 60_000;

/** A step's histogram row as the engine answers it, built from raw latencies. */
function histogramRow(t: number, latencies: readonly number[]): HistogramRow {
  const buckets = new Map<number, number>();
  let zero = 0;
  for (const ms of latencies) {
    if (ms === 0) zero++;
    else buckets.set(latencyBucketIndex(ms), (buckets.get(latencyBucketIndex(ms)) ?? 0) + 1);
  }
  const indexes = [...buckets.keys()].sort((a, b) => a - b);
  return {
    t,
    requests: latencies.length,
    errors5xx: 0,
    errors4xx: 0,
    status1xx: 0,
    status2xx: latencies.length,
    status3xx: 0,
    statusUnknown: 0,
    estimatedRequests: 0,
    latencyZero: zero,
    latencyMax: latencies.length ? Math.max(...latencies) : null,
    bucketIndex: indexes,
    bucketCount: indexes.map((i) => buckets.get(i)!),
  };
}

const request = { from: t0, to: t0 + 3 * minute, stepMs: minute, filter: {} };

describe('buildLatencyHeatmap', () => {
  it('answers only the bands from the fastest to the slowest request, with each step counted per band', () => {
    const rows = [histogramRow(t0, [12, 15, 480]), histogramRow(t0 + 2 * minute, [30, 1_230])];
    const heatmap = buildLatencyHeatmap(rows, request);
    expect(heatmap.bands).toEqual([
      { lowMs: 10, highMs: 20 },
      { lowMs: 20, highMs: 50 },
      { lowMs: 50, highMs: 100 },
      { lowMs: 100, highMs: 200 },
      { lowMs: 200, highMs: 500 },
      { lowMs: 500, highMs: 1_000 },
      { lowMs: 1_000, highMs: 2_000 },
    ]);
    expect(heatmap.points).toEqual([
      { t: t0, total: 3, counts: [2, 0, 0, 0, 1, 0, 0] },
      { t: t0 + minute, total: 0, counts: [0, 0, 0, 0, 0, 0, 0] },
      { t: t0 + 2 * minute, total: 2, counts: [0, 1, 0, 0, 0, 0, 1] },
    ]);
    expect(heatmap.maxCount).toBe(2);
  });

  it('counts zero latencies in the lowest band and latencies past 100 s in the open band', () => {
    const heatmap = buildLatencyHeatmap([histogramRow(t0, [0, 0, 0.05, 250_000])], request);
    expect(heatmap.bands[0]).toEqual({ lowMs: 0, highMs: 0.1 });
    expect(heatmap.bands.at(-1)).toEqual({ lowMs: 100_000, highMs: null });
    expect(heatmap.bands).toHaveLength(heatmapEdgesMs.length + 1);
    expect(heatmap.points[0]!.counts[0]).toBe(3);
    expect(heatmap.points[0]!.counts.at(-1)).toBe(1);
  });

  it('answers no bands and zero counts for a range without requests', () => {
    const heatmap = buildLatencyHeatmap([], request);
    expect(heatmap).toMatchObject({ bands: [], maxCount: 0 });
    expect(heatmap.points).toEqual([0, 1, 2].map((i) => ({ t: t0 + i * minute, total: 0, counts: [] })));
  });

  it('files a bucket by the value the percentiles report, so a reported p95 always lies in its band', () => {
    // 100 ms sits on an edge: its bucket's representative value decides the band, not the raw latency.
    const index = latencyBucketIndex(100);
    const band = heatmapBand(index);
    const value = latencyBucketValue(index);
    expect(value).toBeGreaterThan(band === 0 ? 0 : heatmapEdgesMs[band - 1]!);
    expect(value).toBeLessThanOrEqual(heatmapEdgesMs[band] ?? Infinity);
  });

  it('keeps every request: each step total is its requests, each request in its band or one beside it (property)', () => {
    const latency = fc.oneof(
      fc.constant(0),
      fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      fc.constantFrom(...heatmapEdgesMs),
    );
    fc.assert(
      fc.property(fc.array(fc.array(latency, { maxLength: 40 }), { minLength: 1, maxLength: 6 }), (steps) => {
        const rows = steps.map((l, i) => histogramRow(t0 + i * minute, l));
        const heatmap = buildLatencyHeatmap(rows, { ...request, to: t0 + steps.length * minute });
        heatmap.points.forEach((p, i) => {
          expect(p.total).toBe(steps[i]!.length);
          expect(p.counts.reduce((a, b) => a + b, 0)).toBe(p.total);
          expect(p.counts).toHaveLength(heatmap.bands.length);
        });
        const all = steps.flat();
        expect(heatmap.maxCount).toBe(Math.max(0, ...heatmap.points.flatMap((p) => p.counts)));
        for (const ms of all) {
          // The band the raw latency falls in is the counted one, or its neighbour within 1% of the edge.
          const exact = ms === 0 ? 0 : heatmapEdgesMs.findIndex((e) => ms <= e);
          const counted = ms === 0 ? 0 : heatmapBand(latencyBucketIndex(ms));
          const exactBand = exact === -1 ? heatmapEdgesMs.length : exact;
          expect(Math.abs(counted - exactBand)).toBeLessThanOrEqual(1);
          if (counted !== exactBand) {
            const edge = heatmapEdgesMs[Math.min(counted, exactBand)]!;
            expect(Math.abs(ms - edge)).toBeLessThanOrEqual(edge * 0.0201);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
