import fc from 'fast-check';
import {
  InvalidLatencyError,
  LatencySketch,
  latencyBucketIndex,
  latencyBucketValue,
  latencyMinIndexableMs,
  latencyRelativeAccuracy,
} from './latency-sketch.js';
import { exactQuantile } from '../rollup/testing/seeded-raw-events.js';

const tolerance = latencyRelativeAccuracy + 1e-9;
const quantiles = [0, 0.5, 0.95, 0.99, 0.999, 1];

/** Zeros, subnormals, sub-microsecond, whole milliseconds and multi-minute latencies, mixed. */
const latency = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 0.01, noNaN: true }),
  fc.double({ min: -300, max: -2, noNaN: true }).map((e) => 10 ** e),
  fc.integer({ min: 0, max: 5000 }),
  fc.double({ min: 0, max: 3_600_000, noNaN: true }),
);

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

describe('LatencySketch', () => {
  it('represents every bucket by a value within 1% of anything the bucket holds', () => {
    for (const v of [1e-300, 0.0004, 0.001, 0.5, 1, 1.0101, 37.2, 999.9, 60_000, 3_600_000]) {
      expect(relativeError(latencyBucketValue(latencyBucketIndex(v)), v)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('answers every quantile within 1% relative error of the exact ranked value, 0 for zeros and subnormals', () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 400 }), (values) => {
        const sketch = new LatencySketch();
        values.forEach((v) => sketch.add(v));
        const sorted = [...values].sort((a, b) => a - b);
        for (const q of quantiles) {
          const exact = exactQuantile(sorted, q);
          const estimate = sketch.quantile(q)!;
          if (exact < latencyMinIndexableMs) expect(estimate).toBe(0);
          else expect(relativeError(estimate, exact)).toBeLessThanOrEqual(tolerance);
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it('answers exactly 0 whenever the rank falls among the zero latencies', () => {
    const sketch = new LatencySketch();
    [0, 0, 5.5].forEach((v) => sketch.add(v));
    expect([sketch.quantile(0.5), sketch.quantile(0.95), sketch.quantile(0.99)]).toEqual([0, 0, 0]);
    expect(relativeError(sketch.quantile(1)!, 5.5)).toBeLessThanOrEqual(tolerance);
  });

  it('keeps a 0.4 us latency and a 1e-300 ms latency within 1% instead of reporting 0', () => {
    for (const v of [0.0004, 1e-7, 1e-300, latencyMinIndexableMs]) {
      const sketch = new LatencySketch();
      sketch.add(v);
      expect(relativeError(sketch.quantile(0.5)!, v)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('counts subnormal latencies as 0, since no double near them keeps 1%', () => {
    const sketch = new LatencySketch();
    sketch.add(Number.MIN_VALUE);
    sketch.add(1e-310);
    expect(sketch.toBuckets()).toEqual({ zeroCount: 2, indexes: [], counts: [] });
  });

  it('answers from weighted counts as if each value had been added that many times', () => {
    const sketch = new LatencySketch();
    sketch.add(0, 6_000_000);
    sketch.add(1, 3_000_000);
    sketch.add(3_600_000, 1);
    expect(sketch.count).toBe(9_000_001);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(relativeError(sketch.quantile(0.95)!, 1)).toBeLessThanOrEqual(tolerance);
    expect(relativeError(sketch.quantile(1)!, 3_600_000)).toBeLessThanOrEqual(tolerance);
  });

  it('keeps buckets in order and exact counts when one sketch spans 1e-300 ms to an hour', () => {
    const values = [3_600_000, 1e-300, 12, 1e-300, 0.5, 1e-200, 7e5, 0];
    const sketch = new LatencySketch();
    values.forEach((v) => sketch.add(v));
    const buckets = sketch.toBuckets();
    expect(buckets.indexes).toEqual([...buckets.indexes].sort((x, y) => x - y));
    expect(buckets.counts.reduce((a, b) => a + b, buckets.zeroCount)).toBe(values.length);
    expect(LatencySketch.fromBuckets(buckets).toBuckets()).toEqual(buckets);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of quantiles) {
      expect(relativeError(sketch.quantile(q)!, exactQuantile(sorted, q))).toBeLessThanOrEqual(tolerance);
    }
  });

  it('merges two sketches into exactly the sketch of the union', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 100 }),
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 100 }),
        (a, b) => {
          const [left, right, union] = [new LatencySketch(), new LatencySketch(), new LatencySketch()];
          a.forEach((v) => left.add(v));
          b.forEach((v) => right.add(v));
          [...a, ...b].forEach((v) => union.add(v));
          left.merge(right);
          expect(left.toBuckets()).toEqual(union.toBuckets());
          expect(left.count).toBe(a.length + b.length);
        },
      ),
    );
  });

  it('round-trips through its stored bucket lists', () => {
    const sketch = new LatencySketch();
    [0, 3, 3, 250, 12_000].forEach((v) => sketch.add(v));
    const buckets = sketch.toBuckets();
    expect(buckets.zeroCount).toBe(1);
    expect(buckets.indexes).toEqual([...buckets.indexes].sort((x, y) => x - y));
    expect(LatencySketch.fromBuckets(buckets).toBuckets()).toEqual(buckets);
  });

  it('answers undefined for an empty sketch', () => {
    expect(new LatencySketch().quantile(0.5)).toBeUndefined();
  });

  it('refuses a negative or non-finite latency naming the value and the rule', () => {
    expect(() => new LatencySketch().add(-1)).toThrow(
      new InvalidLatencyError('latency_ms -1 must be a finite number >= 0'),
    );
    expect(() => new LatencySketch().add(NaN)).toThrow(InvalidLatencyError);
  });
});
