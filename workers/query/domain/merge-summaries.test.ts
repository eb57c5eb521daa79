import fc from 'fast-check';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import type { HistogramRow } from '../app/query-engine.js';
import { LatencySketch, quantileValueMs, roundLatencyMs } from '../../domain/latency-sketch.js';
import {
  applyTop,
  histogramQuantileMs,
  mergeCountRows,
  mergeHistogramRows,
  summarizeHistogram,
} from './merge-summaries.js';

const noStatusSplit = { status1xx: 0, status2xx: 0, status3xx: 0, statusUnknown: 0, estimatedRequests: 0 };

function histogramOf(values: number[], key: Partial<HistogramRow> = {}): HistogramRow {
  const sketch = new LatencySketch();
  for (const v of values) sketch.add(v);
  const buckets = sketch.toBuckets();
  return {
    requests: values.length,
    errors5xx: 0,
    errors4xx: 0,
    ...noStatusSplit,
    status2xx: values.length,
    latencyZero: buckets.zeroCount,
    latencyMax: values.length > 0 ? Math.max(...values) : null,
    bucketIndex: buckets.indexes,
    bucketCount: buckets.counts,
    ...key,
  };
}

describe('mergeHistogramRows and summarizeHistogram', () => {
  it('answer any quantile as summarizeHistogram answers p50/p95/p99, within 1% of the exact value', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const row = histogramOf(values);
    const summary = summarizeHistogram(row);
    expect(histogramQuantileMs(row, 0.95)).toBe(summary.p95);
    expect(histogramQuantileMs(row, 0.99)).toBe(summary.p99);
    // rank floor(0.9 * 999) = 899: the 900th value.
    expect(Math.abs(histogramQuantileMs(row, 0.9)! - 900) / 900).toBeLessThanOrEqual(0.01);
    expect(histogramQuantileMs(histogramOf([]), 0.9)).toBeNull();
  });

  it('give the percentiles of one sketch over both parts, for zeros, sub-millisecond and heavy tails', () => {
    const random = buildSeededRandom(5);
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 400) }, () =>
        random() < 0.1 ? 0 : random() < 0.2 ? random() * 0.01 : Math.exp(random() * 9),
      );
      const cut = Math.floor(random() * values.length);
      const [merged] = mergeHistogramRows(
        [histogramOf(values.slice(0, cut), { service: 's' })],
        [histogramOf(values.slice(cut), { service: 's' })],
      );
      const whole = new LatencySketch();
      for (const v of values) whole.add(v);
      const summary = summarizeHistogram(merged!);
      const max = Math.max(...values);
      for (const [name, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
        ['p999', 0.999],
      ] as const) {
        expect({ trial, name, value: summary[name] }).toEqual({
          trial,
          name,
          value: Number(Math.min(whole.quantile(q)!, max).toPrecision(12)),
        });
      }
      expect(summary.requests).toBe(values.length);
    }
  });

  it('never answers a percentile above the exact max of the same requests, and keeps the 1% bound', () => {
    // 996 and 998.51 ms share a bucket whose representative value is 1002.4 ms: uncapped, p99 read above the max.
    const values = [
      ...Array.from({ length: 500 }, () => 0),
      ...Array.from({ length: 499 }, () => 996),
      998.51,
    ];
    const summary = summarizeHistogram(histogramOf(values));
    const sorted = [...values].sort((a, b) => a - b);
    expect(summary.maxLatency).toBe(998.51);
    for (const [name, q] of [
      ['p99', 0.99],
      ['p999', 0.999],
    ] as const) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      const value = summary[name]!;
      expect({ name, atMostMax: value <= 998.51 }).toEqual({ name, atMostMax: true });
      expect(Math.abs(value - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect([summary.p99, summary.p999]).toEqual([998.51, 998.51]);
  });

  it('answers null percentiles for a group without latencies and 0 inside the zero count', () => {
    expect(summarizeHistogram(histogramOf([], { service: 'a' }))).toMatchObject({ p50: null, p95: null });
    expect(summarizeHistogram(histogramOf([0, 0, 0, 5], { service: 'a' })).p50).toBe(0);
  });
});

/**
 * The merge as first written, a map of buckets per group sorted at the end, and the rank search bucket by bucket:
 * the reference the linear merge and the one-walk quantiles are checked against.
 */
function referenceMerge(parts: HistogramRow[][]) {
  const groups = new Map<string, { rows: HistogramRow[] }>();
  for (const row of parts.flat()) {
    const key = JSON.stringify([row.t, row.service, row.method, row.path]);
    groups.set(key, { rows: [...(groups.get(key)?.rows ?? []), row] });
  }
  return [...groups.values()].map(({ rows }) => {
    const buckets = new Map<number, number>();
    for (const r of rows)
      r.bucketIndex.forEach((b, i) => buckets.set(b, (buckets.get(b) ?? 0) + r.bucketCount[i]!));
    const indexes = [...buckets.keys()].sort((a, b) => a - b);
    const maxes = rows.flatMap((r) => (r.latencyMax === null ? [] : [r.latencyMax]));
    return {
      service: rows[0]!.service,
      path: rows[0]!.path,
      requests: rows.reduce((a, r) => a + r.requests, 0),
      errors5xx: rows.reduce((a, r) => a + r.errors5xx, 0),
      latencyZero: rows.reduce((a, r) => a + r.latencyZero, 0),
      latencyMax: maxes.length === 0 ? null : Math.max(...maxes),
      bucketIndex: indexes,
      bucketCount: indexes.map((b) => buckets.get(b)!),
    };
  });
}

function referenceQuantileIndex(row: HistogramRow, q: number): number | null {
  const total = row.latencyZero + row.bucketCount.reduce((a, b) => a + b, 0);
  const rank = Math.floor(q * (total - 1));
  if (row.latencyZero > rank) return null;
  let run = row.latencyZero;
  for (let i = 0; i < row.bucketIndex.length; i++) {
    run += row.bucketCount[i]!;
    if (run > rank) return row.bucketIndex[i]!;
  }
  return null;
}

describe('mergeHistogramRows against the map-per-group reference', () => {
  // Bucket lists as engines answer them (ascending) and as nothing promises they stay (any order, repeats).
  const bucketList = fc.oneof(
    fc.uniqueArray(fc.integer({ min: -40, max: 400 }), { maxLength: 30 }).map((a) => a.sort((x, y) => x - y)),
    fc.array(fc.integer({ min: -40, max: 400 }), { maxLength: 30 }),
  );
  const row = fc
    .record({
      service: fc.constantFrom('a', 'b', 'c'),
      path: fc.constantFrom('/x', '/y'),
      errors5xx: fc.nat(5),
      latencyZero: fc.nat(20),
      latencyMax: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true })),
      buckets: bucketList.chain((indexes) =>
        fc.array(fc.nat(50), { minLength: indexes.length, maxLength: indexes.length }).map((counts) => ({
          indexes,
          counts,
        })),
      ),
    })
    .map(({ buckets, ...r }) => {
      const requests = r.latencyZero + buckets.counts.reduce((a, b) => a + b, 0) + r.errors5xx;
      return {
        ...histogramOf([], { service: r.service, path: r.path }),
        requests,
        errors5xx: r.errors5xx,
        latencyZero: r.latencyZero,
        latencyMax: r.latencyMax,
        bucketIndex: buckets.indexes,
        bucketCount: buckets.counts,
      };
    });

  it('adds every group up as the reference does, in any number of parts, whatever order the buckets come in', () => {
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 8 }), { maxLength: 4 }), (parts) => {
        const merged = mergeHistogramRows(...parts);
        const expected = referenceMerge(parts);
        expect(merged.map((m) => ({ ...m, key: [m.service, m.path] }))).toEqual(
          expected.map((e) => expect.objectContaining({ ...e, key: [e.service, e.path] })),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('finds each percentile in the bucket the rank search finds, from one walk over the buckets', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 3 }), (rows) => {
        const [merged] = mergeHistogramRows(rows.map((r) => ({ ...r, service: 'a', path: '/x' })));
        const summary = summarizeHistogram(merged!);
        const total = merged!.latencyZero + merged!.bucketCount.reduce((a, b) => a + b, 0);
        const valueOf = (q: number) =>
          total === 0
            ? null
            : roundLatencyMs(quantileValueMs(referenceQuantileIndex(merged!, q), merged!.latencyMax));
        expect([summary.p50, summary.p95, summary.p99, summary.p999]).toEqual(
          [0.5, 0.95, 0.99, 0.999].map(valueOf),
        );
        expect(summary.p95Index).toBe(total === 0 ? null : referenceQuantileIndex(merged!, 0.95));
        expect(histogramQuantileMs(merged!, 0.9)).toBe(valueOf(0.9));
      }),
      { numRuns: 400 },
    );
  });
});

describe('mergeCountRows', () => {
  it('adds the counts of the same group and keeps groups seen in one part only', () => {
    const rows = mergeCountRows(
      [{ service: 'a', requests: 2, errors5xx: 1, errors4xx: 0, ...noStatusSplit, status2xx: 1 }],
      [
        {
          service: 'a',
          requests: 3,
          errors5xx: 0,
          errors4xx: 1,
          ...noStatusSplit,
          status3xx: 1,
          statusUnknown: 1,
          estimatedRequests: 0,
        },
        { service: 'b', requests: 1, errors5xx: 0, errors4xx: 0, ...noStatusSplit, status1xx: 1 },
      ],
    );
    expect(rows).toEqual([
      {
        service: 'a',
        requests: 5,
        errors5xx: 1,
        errors4xx: 1,
        status1xx: 0,
        status2xx: 1,
        status3xx: 1,
        statusUnknown: 1,
        estimatedRequests: 0,
      },
      { service: 'b', requests: 1, errors5xx: 0, errors4xx: 0, ...noStatusSplit, status1xx: 1 },
    ]);
  });
});

describe('applyTop', () => {
  const row = (path: string, requests: number, errors5xx: number, p95Index: number | null) => ({
    service: 's',
    method: 'GET',
    path,
    requests,
    errors5xx,
    errors4xx: 0,
    ...noStatusSplit,
    p95Index,
  });
  const rows = [row('/b', 10, 2, 5), row('/a', 10, 2, null), row('/c', 30, 1, 9), row('/d', 5, 2, 7)];

  it('ranks by the measure, then requests, then service, path and method, as the engine does', () => {
    const top = applyTop(rows, { groupBy: 'endpoint', top: { by: 'errors5xx', limit: 3 } });
    expect(top.map((r) => r.path)).toEqual(['/a', '/b', '/d']);
  });

  it('puts a group without a p95 bucket last when ranking by p95', () => {
    const top = applyTop(rows, { groupBy: 'endpoint', top: { by: 'p95', limit: 4 } });
    expect(top.map((r) => r.path)).toEqual(['/c', '/d', '/b', '/a']);
  });
});
