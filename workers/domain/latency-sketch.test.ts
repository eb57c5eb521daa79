import fc from 'fast-check';
import {
  InvalidLatencyError,
  LatencySketch,
  latencyBucketIndex,
  latencyBucketValue,
  latencyRelativeAccuracy,
} from './latency-sketch.js';
import { exactQuantile } from '../rollup/testing/seeded-raw-events.js';

const tolerance = latencyRelativeAccuracy + 1e-9;
const quantiles = [0, 0.5, 0.95, 0.99, 0.999, 1];

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

describe('LatencySketch', () => {
  it('represents every bucket by a value within 1% of anything the bucket holds', () => {
    for (const v of [0.001, 0.5, 1, 1.0101, 37.2, 999.9, 60_000]) {
      expect(relativeError(latencyBucketValue(latencyBucketIndex(v)), v)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('answers every quantile within 1% relative error of the exact ranked value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }),
        (values) => {
          const sketch = new LatencySketch();
          values.forEach((v) => sketch.add(v));
          const sorted = [...values].sort((a, b) => a - b);
          for (const q of quantiles) {
            const exact = exactQuantile(sorted, q);
            const estimate = sketch.quantile(q)!;
            if (exact <= 1e-6) expect(estimate).toBe(0);
            else expect(relativeError(estimate, exact)).toBeLessThanOrEqual(tolerance);
          }
        },
      ),
    );
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
