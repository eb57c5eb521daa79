import {
  describeLayoutAccuracy,
  explicitBucketLatencies,
  exponentialBucketLatencies,
  type BucketLatency,
} from './histogram-buckets.js';
import { own, readUint64, repeated } from './otlp-values.js';

/** A data point's buckets as latencies, its layout's stated accuracy, and what is wrong with it, if anything. */
export interface HistogramPointBuckets {
  problem: string | undefined;
  layout: string;
  /** Exponential layouts: the scale the bucket indexes belong to (cumulative-series.ts compares across it). */
  scale?: number;
  latencies: BucketLatency[];
}

function count(value: unknown): number {
  const n = readUint64(value);
  return n === undefined ? NaN : Number(n);
}

function readExplicit(point: unknown, toMs: number): HistogramPointBuckets {
  const bounds = (repeated(point, 'explicitBounds') ?? []).map(Number);
  const counts = (repeated(point, 'bucketCounts') ?? []).map(count);
  const max = own(point, 'max');
  const valid = counts.length === bounds.length + 1 && counts.every(Number.isSafeInteger);
  const sorted = bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > bounds[i - 1]!));
  return {
    problem:
      valid && sorted ? undefined : 'bucketCounts must be one more than explicitBounds, which must rise',
    layout: describeLayoutAccuracy({ bounds }),
    latencies: explicitBucketLatencies(bounds, counts, toMs, typeof max === 'number' ? max : undefined),
  };
}

function exponentialProblem(scale: number, offset: number, negative: number[], counts: number[]) {
  if (!Number.isInteger(scale) || scale < -10 || scale > 20 || !Number.isInteger(offset))
    return 'scale must be -10 to 20 and offset an integer';
  if (negative.some((n) => n > 0)) return 'a duration has no negative buckets';
  if (!counts.every(Number.isSafeInteger)) return 'bucket counts must be integers';
  return undefined;
}

function readExponential(point: unknown, toMs: number): HistogramPointBuckets {
  const scale = Number(own(point, 'scale') ?? 0);
  const positive = own(point, 'positive');
  const offset = Number(own(positive, 'offset') ?? 0);
  const counts = (repeated(positive, 'bucketCounts') ?? []).map(count);
  const zero = count(own(point, 'zeroCount') ?? 0);
  const negative = (repeated(own(point, 'negative'), 'bucketCounts') ?? []).map(count);
  const problem = exponentialProblem(scale, offset, negative, [zero, ...counts]);
  return {
    problem,
    layout: describeLayoutAccuracy({ scale }),
    scale,
    latencies: problem ? [] : exponentialBucketLatencies(scale, zero, offset, counts, toMs),
  };
}

/** A HistogramDataPoint or ExponentialHistogramDataPoint (decoded protobuf or OTLP/JSON) read as latencies. */
export function readHistogramPoint(
  point: unknown,
  exponential: boolean,
  toMs: number,
): HistogramPointBuckets {
  return exponential ? readExponential(point, toMs) : readExplicit(point, toMs);
}
