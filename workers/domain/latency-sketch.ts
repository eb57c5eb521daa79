/**
 * Mergeable latency histogram with the DDSketch logarithmic mapping: bucket i holds values in
 * (gamma^(i-1), gamma^i], gamma = (1 + a) / (1 - a), a = 1% relative accuracy. Any quantile read from the
 * bucket that holds the ranked value is within 1% of it, and merging is adding counts per index, which is
 * what SQL engines do when they UNNEST the stored bucket lists and SUM counts GROUP BY index.
 * Values at or below latencyMinIndexableMs (including 0) go to a separate zero count.
 */
export const latencyRelativeAccuracy = 0.01;
export const latencyGamma = (1 + latencyRelativeAccuracy) / (1 - latencyRelativeAccuracy);
const logGamma = Math.log(latencyGamma);
/** 1 ns: anything faster is reported as 0 ms. */
export const latencyMinIndexableMs = 1e-6;

export class InvalidLatencyError extends Error {
  readonly code = 'INVALID_LATENCY';
}

export class InvalidQuantileError extends Error {
  readonly code = 'INVALID_QUANTILE';
}

/** The bucket index a latency belongs to (value must be > latencyMinIndexableMs). */
export function latencyBucketIndex(valueMs: number): number {
  return Math.ceil(Math.log(valueMs) / logGamma);
}

/** The representative value of bucket i: within `a` of every value the bucket can hold. */
export function latencyBucketValue(index: number): number {
  return (2 * Math.pow(latencyGamma, index)) / (1 + latencyGamma);
}

export interface LatencyBuckets {
  zeroCount: number;
  /** Strictly increasing bucket indexes of the non-empty buckets. */
  indexes: number[];
  counts: number[];
}

const initialSpan = 64;

/**
 * Counts are kept in a dense Float64Array over [offset, offset + length) that grows on demand: latencies of
 * one endpoint span a few hundred buckets, so dense beats a Map in memory and speed.
 */
export class LatencySketch {
  private counts = new Float64Array(0);
  private offset = 0;
  private zero = 0;
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(valueMs: number, count = 1): void {
    if (!(valueMs >= 0) || !Number.isFinite(valueMs)) {
      throw new InvalidLatencyError(`latency_ms ${valueMs} must be a finite number >= 0`);
    }
    this.total += count;
    if (valueMs <= latencyMinIndexableMs) {
      this.zero += count;
      return;
    }
    this.addToBucket(latencyBucketIndex(valueMs), count);
  }

  private addToBucket(index: number, count: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(initialSpan);
      this.offset = index - initialSpan / 2;
    } else if (index < this.offset || index >= this.offset + this.counts.length) {
      this.grow(index);
    }
    this.counts[index - this.offset]! += count;
  }

  private grow(index: number): void {
    const low = Math.min(this.offset, index);
    const high = Math.max(this.offset + this.counts.length, index + 1);
    const span = high - low;
    const grown = new Float64Array(Math.max(span + (span >> 1), initialSpan));
    const newOffset = low - ((grown.length - span) >> 1);
    grown.set(this.counts, this.offset - newOffset);
    this.counts = grown;
    this.offset = newOffset;
  }

  merge(other: LatencySketch): void {
    this.addBuckets(other.toBuckets());
  }

  addBuckets(buckets: LatencyBuckets): void {
    this.zero += buckets.zeroCount;
    this.total += buckets.zeroCount;
    buckets.indexes.forEach((index, i) => {
      const count = buckets.counts[i] ?? 0;
      this.total += count;
      this.addToBucket(index, count);
    });
  }

  toBuckets(): LatencyBuckets {
    const indexes: number[] = [];
    const counts: number[] = [];
    this.counts.forEach((count, i) => {
      if (count === 0) return;
      indexes.push(i + this.offset);
      counts.push(count);
    });
    return { zeroCount: this.zero, indexes, counts };
  }

  static fromBuckets(buckets: LatencyBuckets): LatencySketch {
    const sketch = new LatencySketch();
    sketch.addBuckets(buckets);
    return sketch;
  }

  /**
   * The value of rank floor(q * (count - 1)) (0-based, ascending), within 1% relative error; undefined when
   * empty. Callers that know the exact min/max may clamp the result to them.
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new InvalidQuantileError(`quantile ${q} must be between 0 and 1`);
    if (this.total === 0) return undefined;
    const rank = Math.floor(q * (this.total - 1));
    if (rank < this.zero) return 0;
    let seen = this.zero;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen > rank) return latencyBucketValue(i + this.offset);
    }
    return latencyBucketValue(this.offset + this.counts.length - 1);
  }
}
