/**
 * A seeded, deterministic stand-in dataset for the dashboard's browser tests: per (minute, endpoint) request
 * counts, errors and a log-bucket latency histogram, computed on demand from a hash so any range (including
 * a week back for comparisons) is available without storing anything. Percentiles come from merged
 * histograms, as in the real rollup, so the dashboard is tested against real semantics.
 */

export interface FixtureEndpoint {
  service: string;
  method: string;
  path: string;
  /** Requests per minute before seasonality and noise. */
  perMinute: number;
  errorRate: number;
  medianMs: number;
  overflow?: boolean;
}

export const FIXTURE_ENDPOINTS: FixtureEndpoint[] = [
  { service: 'checkout', method: 'GET', path: '/orders/:id', perMinute: 60, errorRate: 0.005, medianMs: 25 },
  { service: 'checkout', method: 'POST', path: '/orders', perMinute: 20, errorRate: 0.02, medianMs: 80 },
  { service: 'checkout', method: 'GET', path: '/cart', perMinute: 40, errorRate: 0.002, medianMs: 15 },
  { service: 'payments', method: 'POST', path: '/charge', perMinute: 15, errorRate: 0.04, medianMs: 220 },
  { service: 'payments', method: 'GET', path: '/refunds/:id', perMinute: 2, errorRate: 0.01, medianMs: 40 },
  { service: 'search', method: 'GET', path: '/search', perMinute: 120, errorRate: 0.001, medianMs: 120 },
  {
    service: 'search',
    method: 'GET',
    path: '/:overflow',
    perMinute: 3,
    errorRate: 0,
    medianMs: 30,
    overflow: true,
  },
];

export const MINUTE = 60_000;
const BUCKETS = 48;
/** Bucket k holds latencies up to 2^(k/2) ms: coarse, but mergeable like the real sketch. */
export const bucketUpperMs = (k: number): number => 2 ** (k / 2);
const SPREAD: [number, number][] = [
  [-2, 0.1],
  [-1, 0.25],
  [1, 0.2],
  [2, 0.1],
  [4, 0.04],
  [6, 0.01],
];

export interface Aggregate {
  requests: number;
  errors5xx: number;
  errors4xx: number;
  histogram: number[];
}

export const emptyAggregate = (): Aggregate => ({
  requests: 0,
  errors5xx: 0,
  errors4xx: 0,
  histogram: new Array<number>(BUCKETS).fill(0),
});

/** A hash of integers to [0, 1): the dataset's only source of noise, so it is the same on every run. */
export function noise(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v | 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) / 2 ** 32;
}

export interface DatasetOptions {
  /** Minute index (ms / 60000) during which payments POST /charge fails heavily: [start, end). */
  incident: [number, number];
}

/** Adds one (minute, endpoint) cell to an aggregate. */
export function addCell(
  acc: Aggregate,
  minuteIndex: number,
  endpointIndex: number,
  options: DatasetOptions,
): void {
  const ep = FIXTURE_ENDPOINTS[endpointIndex]!;
  const day = Math.sin((2 * Math.PI * (minuteIndex % 1440)) / 1440);
  const week = Math.sin((2 * Math.PI * (minuteIndex % 10080)) / 10080);
  const requests = Math.round(
    ep.perMinute * (1 + 0.4 * day + 0.1 * week) * (0.8 + 0.4 * noise(minuteIndex, endpointIndex)),
  );
  if (requests <= 0) return;
  const inIncident =
    ep.path === '/charge' && minuteIndex >= options.incident[0] && minuteIndex < options.incident[1];
  const errorRate = inIncident ? 0.3 : ep.errorRate;
  acc.requests += requests;
  acc.errors5xx += Math.round(requests * errorRate * (0.5 + noise(minuteIndex, endpointIndex, 1)));
  acc.errors4xx += Math.round(requests * 0.02 * noise(minuteIndex, endpointIndex, 2));
  const median = Math.round(2 * Math.log2(ep.medianMs * (inIncident ? 4 : 1)));
  let placed = 0;
  for (const [offset, weight] of SPREAD) {
    const n = Math.floor(requests * weight);
    acc.histogram[clampBucket(median + offset)]! += n;
    placed += n;
  }
  acc.histogram[clampBucket(median)]! += requests - placed;
}

function clampBucket(k: number): number {
  return Math.min(BUCKETS - 1, Math.max(0, k));
}

/** The q-quantile of a merged histogram (upper bound of the bucket holding rank ceil(q*n)); null when empty. */
export function quantile(histogram: number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let k = 0; k < histogram.length; k++) {
    seen += histogram[k]!;
    if (seen >= rank) return Math.round(bucketUpperMs(k) * 100) / 100;
  }
  return null;
}

export function mergeInto(acc: Aggregate, other: Aggregate): void {
  acc.requests += other.requests;
  acc.errors5xx += other.errors5xx;
  acc.errors4xx += other.errors4xx;
  for (let k = 0; k < acc.histogram.length; k++) acc.histogram[k]! += other.histogram[k]!;
}
