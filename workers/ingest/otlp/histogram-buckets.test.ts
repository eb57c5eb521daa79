import fc from 'fast-check';
import {
  describeLayoutAccuracy,
  explicitBucketLatencies,
  exponentialBucketLatencies,
  exponentialRelativeError,
} from './histogram-buckets.js';

describe('histogram buckets as latencies', () => {
  it('reads explicit buckets at their midpoints in ms, the open last one at the point max', () => {
    expect(explicitBucketLatencies([0.01, 0.1], [2, 0, 3], 1000, 0.4)).toEqual([
      { latencyMs: 5, count: 2, index: 0 },
      { latencyMs: 400, count: 3, index: 2 },
    ]);
    expect(explicitBucketLatencies([0.01, 0.1], [0, 1, 0], 1000)).toEqual([
      { latencyMs: 55, count: 1, index: 1 },
    ]);
  });

  it('reads any value of an exponential bucket within the stated bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 12 }),
        fc.double({ min: 1e-6, max: 1e5, noNaN: true }),
        (scale, v) => {
          const base = Math.pow(2, Math.pow(2, -scale));
          const index = Math.ceil(Math.log(v) / Math.log(base)) - 1;
          const [bucket] = exponentialBucketLatencies(scale, 0, index, [1], 1);
          expect(Math.abs(bucket!.latencyMs - v) / v).toBeLessThanOrEqual(
            exponentialRelativeError(scale) + 1e-9,
          );
        },
      ),
    );
  });

  it('states each layout accuracy in words', () => {
    expect(describeLayoutAccuracy({ scale: 6 })).toBe(
      "exponential buckets at scale 6: percentiles within 0.54% of the bucket bound, plus Gravix's 1%",
    );
    expect(describeLayoutAccuracy({ bounds: [0.1, 0.25, 0.5] })).toBe(
      "explicit buckets [0.1, 0.25, 0.5]: a percentile is its bucket's midpoint, up to 43% off (up to 100% in the first bucket, and the last bucket is only known to be above 0.5)",
    );
  });
});
