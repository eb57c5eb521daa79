/**
 * An OTLP duration histogram's buckets as (latency, count) pairs the rollup folds in like `count` identical
 * requests (raw-record.ts `count`, docs/adr/0082). A bucket holds no latencies, only a range, so each gets one
 * representative latency; the accuracy of every percentile built from it is the layout's (docs/opentelemetry.md).
 */
export interface BucketLatency {
  /** The bucket's representative latency in ms. */
  latencyMs: number;
  count: number;
  /** The bucket's position in its layout (part of the record's idempotency key). */
  index: number;
}

/**
 * Explicit buckets (bounds b0 < b1 < ...): bucket i holds (b[i-1], b[i]], the first [0, b0] and the last
 * (b[n-1], +inf). The representative is the middle of the range: a percentile landing in a bucket is off by up to
 * half its width. The open last bucket has no width: its lower bound (or the point's max when known) stands in.
 */
export function explicitBucketLatencies(
  bounds: readonly number[],
  counts: readonly number[],
  toMs: number,
  max?: number,
): BucketLatency[] {
  const out: BucketLatency[] = [];
  counts.forEach((count, i) => {
    if (count === 0) return;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const upper = bounds[i];
    const value = upper === undefined ? Math.max(lower, max ?? lower) : (Math.max(0, lower) + upper) / 2;
    out.push({ latencyMs: value * toMs, count, index: i });
  });
  return out;
}

/**
 * Exponential buckets: with base = 2^(2^-scale), positive bucket `offset + k` holds (base^i, base^(i+1)]; zeros
 * have their own count. The representative 2·lo·hi/(lo+hi) is within (base-1)/(base+1) of every value in the
 * bucket (DDSketch's choice): 0.54% at scale 6, 4.3% at scale 3.
 */
export function exponentialBucketLatencies(
  scale: number,
  zeroCount: number,
  offset: number,
  counts: readonly number[],
  toMs: number,
): BucketLatency[] {
  const base = Math.pow(2, Math.pow(2, -scale));
  const out: BucketLatency[] = zeroCount > 0 ? [{ latencyMs: 0, count: zeroCount, index: -1 }] : [];
  counts.forEach((count, k) => {
    if (count === 0) return;
    const lower = Math.pow(base, offset + k);
    const upper = lower * base;
    out.push({ latencyMs: ((2 * lower * upper) / (lower + upper)) * toMs, count, index: offset + k });
  });
  return out;
}

/** The largest relative error of a latency read from an exponential layout of this scale. */
export const exponentialRelativeError = (scale: number): number => {
  const base = Math.pow(2, Math.pow(2, -scale));
  return (base - 1) / (base + 1);
};

const percent = (ratio: number) => `${Number((ratio * 100).toPrecision(2))}%`;

/**
 * What a layout means for the percentiles built from it, as the answer and the docs state it: an explicit
 * layout's worst bucket above the first (a midpoint is off by up to (hi-lo)/(hi+lo)), an exponential one's bound.
 */
export function describeLayoutAccuracy(layout: { bounds: readonly number[] } | { scale: number }): string {
  if ('scale' in layout) {
    return `exponential buckets at scale ${layout.scale}: percentiles within ${percent(exponentialRelativeError(layout.scale))} of the bucket bound, plus Gravix's 1%`;
  }
  const b = layout.bounds;
  const worst = b.slice(1).reduce((w, hi, i) => Math.max(w, (hi - b[i]!) / (hi + b[i]!)), 0);
  return `explicit buckets [${b.join(', ')}]: a percentile is its bucket's midpoint, up to ${percent(worst)} off (up to 100% in the first bucket, and the last bucket is only known to be above ${b.at(-1) ?? 0})`;
}
