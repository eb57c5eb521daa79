import { latencyBucketIndex, latencyBucketValue } from '../../domain/latency-sketch.js';
import { roundLatencyMs } from '../../domain/latency-sketch.js';
import { toSummaryRow } from './metrics-rows.js';

const relativeError = (got: number, exact: number) => Math.abs(got - exact) / exact;

function rowFor(latencyMs: number) {
  const index = latencyBucketIndex(latencyMs);
  return toSummaryRow({
    requests: 1n,
    latency_zero: 0n,
    latency_hist: 1n,
    p50_index: index,
    p95_index: index,
    p99_index: index,
  });
}

describe('toSummaryRow', () => {
  it('keeps sub-millisecond percentiles within 1% instead of rounding them to 3 decimals', () => {
    for (const exact of [0.0004, 0.000622, 0.00206, 0.0449, 0.057, 1e-9]) {
      const row = rowFor(exact);
      expect(row.p50).toBeGreaterThan(0);
      expect(relativeError(row.p50!, exact)).toBeLessThanOrEqual(0.01 + 1e-9);
    }
  });

  it('answers 0 for a NULL index when the group has latencies, and null when it has none', () => {
    const base = { requests: 3n, p50_index: null, p95_index: null, p99_index: null };
    expect(toSummaryRow({ ...base, latency_zero: 3n, latency_hist: null }).p50).toBe(0);
    expect(toSummaryRow({ ...base, latency_zero: 0n, latency_hist: null }).p50).toBeNull();
  });

  it("caps each percentile at the group's exact max, and leaves it uncapped where no max was read", () => {
    const topBucket = latencyBucketIndex(998.51);
    expect(latencyBucketValue(topBucket)).toBeGreaterThan(998.51);
    const row = {
      requests: 3n,
      latency_zero: 0n,
      latency_hist: 3n,
      p50_index: topBucket,
      p999_index: topBucket,
    };
    expect(toSummaryRow({ ...row, latency_max: 998.51 })).toMatchObject({
      p50: 998.51,
      p999: 998.51,
      maxLatency: 998.51,
    });
    expect(toSummaryRow(row).p999).toBe(roundLatencyMs(latencyBucketValue(topBucket)));
  });
});

describe('roundLatencyMs', () => {
  it('keeps 12 significant digits at any magnitude', () => {
    expect(roundLatencyMs(0.000404040404040404)).toBe(0.00040404040404);
    expect(roundLatencyMs(5.529411764705882)).toBe(5.52941176471);
    expect(roundLatencyMs(3_599_999.123456789)).toBe(3_599_999.12346);
  });

  it('moves a bucket value by at most 5e-12 relative', () => {
    for (const index of [-35_000, -700, -1, 0, 1, 87, 756]) {
      const value = latencyBucketValue(index);
      expect(relativeError(roundLatencyMs(value), value)).toBeLessThanOrEqual(5e-12);
    }
  });
});
