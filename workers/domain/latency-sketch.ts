/**
 * Mergeable latency histogram with the DDSketch logarithmic mapping: bucket i holds values in
 * (gamma^(i-1), gamma^i], gamma = (1 + a) / (1 - a), a = 1% relative accuracy. Any quantile read from the
 * bucket that holds the ranked value is within 1% of it, and merging is adding counts per index, which is
 * what SQL engines do when they UNNEST the stored bucket lists and SUM counts GROUP BY index.
 * 0 and subnormal doubles (below latencyMinIndexableMs) go to a separate zero count, answered as exactly 0; every
 * other latency, however small, has a bucket, so sub-microsecond latencies keep the 1% bound too.
 */
export const latencyRelativeAccuracy = 0.01;
export const latencyGamma = (1 + latencyRelativeAccuracy) / (1 - latencyRelativeAccuracy);
const logGamma = Math.log(latencyGamma);
/**
 * The smallest normal double (2^-1022 ms). Below it, doubles lose precision, so no bucket value could be within
 * 1% of them; they are counted as 0. Data rolled up before this floor existed counted latencies <= 1e-6 ms as 0.
 */
export const latencyMinIndexableMs = 2 ** -1022;

export class InvalidLatencyError extends Error {
  readonly code = 'INVALID_LATENCY';
}

export class InvalidQuantileError extends Error {
  readonly code = 'INVALID_QUANTILE';
}

/** The bucket index a latency belongs to (value must be >= latencyMinIndexableMs). */
export function latencyBucketIndex(valueMs: number): number {
  return Math.ceil(Math.log(valueMs) / logGamma);
}

/** What latencyBucketOf answers for 0 and subnormal latencies (the zero count); no real bucket index is this low. */
export const latencyZeroBucket = -2147483648;

/**
 * The bucket a valid latency (finite, >= 0) is counted in: its index, or latencyZeroBucket. Lets a scan thread
 * pay for the logarithm and the aggregating thread only count (LatencySketch.addToIndex).
 */
export function latencyBucketOf(valueMs: number): number {
  return valueMs < latencyMinIndexableMs ? latencyZeroBucket : latencyBucketIndex(valueMs);
}

/** The representative value of bucket i: within `a` of every value the bucket can hold. */
export function latencyBucketValue(index: number): number {
  return (2 * Math.pow(latencyGamma, index)) / (1 + latencyGamma);
}

/**
 * A quantile's value from the bucket its rank falls in (null: inside the zero count), never above the exact
 * maximum of the same latencies when that is known. A bucket's representative value can lie above every latency
 * in it (a top bucket whose slowest request took 998.5 ms answers 1002.4 ms), and a p99.9 above the max shown
 * beside it reads as a bug. The cap keeps the 1% bound: the exact quantile is at most the max, so capping only
 * moves the value towards it.
 */
export function quantileValueMs(index: number | null, maxMs: number | null): number {
  if (index === null) return 0;
  const value = latencyBucketValue(index);
  return maxMs !== null && Number.isFinite(maxMs) && maxMs < value ? maxMs : value;
}

/**
 * Latencies leave the API with 12 significant digits: relative, so 0.0004 ms stays 0.0004 ms (fixed decimals
 * turned it into 0), and fine enough (<= 5e-12 relative) to leave the 1% bound intact.
 */
export const roundLatencyMs = (ms: number) => Number(ms.toPrecision(12));

export interface LatencyBuckets {
  zeroCount: number;
  /** Strictly increasing bucket indexes of the non-empty buckets. */
  indexes: number[];
  counts: number[];
}

/**
 * LatencyBuckets as addBuckets reads them: typed-array views too, so a tile build passes a list column's slice of a
 * decoded file without copying it (minute-file-quarters.ts).
 */
export type LatencyBucketsView = Readonly<{
  zeroCount: number;
  indexes: ArrayLike<number>;
  counts: ArrayLike<number>;
}>;

const initialSpan = 64;
/**
 * The widest dense window (16 KiB). Real latencies of one endpoint span a few hundred buckets; a client that
 * sends both 1e-300 ms and an hour would otherwise make every minute row of its endpoints ~300 KiB and could
 * exhaust the rollup's memory for every tenant.
 */
const maxDenseSpan = 2048;

/**
 * Counts are kept in a dense Float64Array over [offset, offset + length) that grows on demand: latencies of
 * one endpoint span a few hundred buckets, so dense beats a Map in memory and speed. Buckets that would widen
 * the window past maxDenseSpan go to a Map (`far`), which only pathological inputs use.
 */
export class LatencySketch {
  private counts = new Float64Array(0);
  private offset = 0;
  private far: Map<number, number> | undefined;
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
    if (valueMs < latencyMinIndexableMs) {
      this.zero += count;
      return;
    }
    this.addToBucket(latencyBucketIndex(valueMs), count);
  }

  /** add(valueMs) for a valid latency whose latencyBucketOf is already known: one count, no logarithm. */
  addToIndex(bucket: number): void {
    this.total += 1;
    if (bucket === latencyZeroBucket) this.zero += 1;
    else this.addToBucket(bucket, 1);
  }

  private addToBucket(index: number, count: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(initialSpan);
      this.offset = index - initialSpan / 2;
    } else if (index < this.offset || index >= this.offset + this.counts.length) {
      if (!this.grow(index)) {
        this.far ??= new Map();
        this.far.set(index, (this.far.get(index) ?? 0) + count);
        return;
      }
    }
    this.counts[index - this.offset]! += count;
  }

  /** Widens the dense window to hold `index`; false when that would pass maxDenseSpan. */
  private grow(index: number): boolean {
    const low = Math.min(this.offset, index);
    const high = Math.max(this.offset + this.counts.length, index + 1);
    const span = high - low;
    if (span > maxDenseSpan) return false;
    const grown = new Float64Array(Math.min(Math.max(span + (span >> 1), initialSpan), maxDenseSpan));
    const newOffset = low - ((grown.length - span) >> 1);
    grown.set(this.counts, this.offset - newOffset);
    this.counts = grown;
    this.offset = newOffset;
    return true;
  }

  /** Calls `visit` for every non-empty bucket in ascending index order until it returns true. */
  private visitBuckets(visit: (index: number, count: number) => boolean | void): void {
    // Nearly every sketch is dense only: no sorting or copying of far buckets for it (tile builds finish ~100,000).
    if (!this.far) {
      this.visitDense(visit);
      return;
    }
    const far = [...this.far].sort((a, b) => a[0] - b[0]);
    const below = far.filter(([index]) => index < this.offset);
    for (const [index, count] of below) {
      if (visit(index, count) === true) return;
    }
    if (this.visitDense(visit)) return;
    for (const [index, count] of far.slice(below.length)) {
      if (visit(index, count) === true) return;
    }
  }

  /** visitBuckets over the dense window; true when `visit` stopped it. */
  private visitDense(visit: (index: number, count: number) => boolean | void): boolean {
    for (let i = 0; i < this.counts.length; i++) {
      const count = this.counts[i]!;
      if (count !== 0 && visit(i + this.offset, count) === true) return true;
    }
    return false;
  }

  merge(other: LatencySketch): void {
    this.addBuckets(other.toBuckets());
  }

  addBuckets(buckets: LatencyBucketsView): void {
    this.zero += buckets.zeroCount;
    this.total += buckets.zeroCount;
    const { indexes, counts } = buckets;
    for (let i = 0; i < indexes.length; i++) {
      const count = counts[i] ?? 0;
      this.total += count;
      this.addToBucket(indexes[i]!, count);
    }
  }

  toBuckets(): LatencyBuckets {
    const indexes: number[] = [];
    const counts: number[] = [];
    this.visitBuckets((index, count) => {
      indexes.push(index);
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
   * The value of rank floor(q * (count - 1)) (0-based, ascending), within 1% relative error; exactly 0 when that
   * rank falls among the zero count; undefined when empty. Callers that know the exact min/max may clamp to them.
   */
  quantile(q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new InvalidQuantileError(`quantile ${q} must be between 0 and 1`);
    if (this.total === 0) return undefined;
    const rank = Math.floor(q * (this.total - 1));
    if (rank < this.zero) return 0;
    let [seen, found] = [this.zero, 0];
    this.visitBuckets((index, count) => {
      seen += count;
      found = index;
      return seen > rank;
    });
    return latencyBucketValue(found);
  }
}
