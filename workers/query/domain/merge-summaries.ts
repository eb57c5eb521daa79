import { quantileValueMs, roundLatencyMs } from '../../domain/latency-sketch.js';
import type {
  CountRow,
  GroupBy,
  GroupKey,
  HistogramRow,
  MetricsQuery,
  SummaryRow,
} from '../app/query-engine.js';

/**
 * Merging the aggregates of two disjoint time ranges (a cached closed range and the open minutes) and ranking the
 * result exactly as the engine would (metrics-sql.ts): counts add up, histograms merge bucket by bucket, and the
 * percentile rank search is the one buildSummarySql runs.
 */

const keyOf = (row: GroupKey) => JSON.stringify([row.t, row.service, row.method, row.path]);

function keyFields(row: GroupKey): GroupKey {
  const key: GroupKey = {};
  if (row.t !== undefined) key.t = row.t;
  if (row.service !== undefined) key.service = row.service;
  if (row.method !== undefined) key.method = row.method;
  if (row.path !== undefined) key.path = row.path;
  return key;
}

export function mergeCountRows(...parts: readonly (readonly CountRow[])[]): CountRow[] {
  const merged = new Map<string, CountRow>();
  for (const part of parts) {
    for (const row of part) {
      const key = keyOf(row);
      const seen = merged.get(key);
      if (!seen) merged.set(key, { ...keyFields(row), ...counts(row) });
      else addCountsInto(seen, row);
    }
  }
  return [...merged.values()];
}

/** The counts a merge of rows sums (the alert data's block merge sums the same ones). */
export const countFields = [
  'requests',
  'errors5xx',
  'errors4xx',
  'status1xx',
  'status2xx',
  'status3xx',
  'statusUnknown',
  'estimatedRequests',
] as const satisfies readonly (keyof CountRow)[];
type Counts = Pick<CountRow, (typeof countFields)[number]>;

// Written out rather than looped over countFields: these run per row of every merge (a refreshed endpoint table
// merges ~1,000 groups), and an object built field by field keeps one hidden class.
const counts = (r: CountRow): Counts => ({
  requests: r.requests,
  errors5xx: r.errors5xx,
  errors4xx: r.errors4xx,
  status1xx: r.status1xx,
  status2xx: r.status2xx,
  status3xx: r.status3xx,
  statusUnknown: r.statusUnknown,
  estimatedRequests: r.estimatedRequests,
});

function addCountsInto(into: Counts, r: CountRow): void {
  into.requests += r.requests;
  into.errors5xx += r.errors5xx;
  into.errors4xx += r.errors4xx;
  into.status1xx += r.status1xx;
  into.status2xx += r.status2xx;
  into.status3xx += r.status3xx;
  into.statusUnknown += r.statusUnknown;
  into.estimatedRequests += r.estimatedRequests;
}

interface Buckets {
  index: number[];
  count: number[];
}

/** A row's buckets as strictly ascending indexes: engines answer so already; anything else is sorted and summed. */
function ascendingBuckets(row: HistogramRow): Buckets {
  const { bucketIndex: index, bucketCount: count } = row;
  let ascending = true;
  for (let i = 1; i < index.length && ascending; i++) ascending = index[i - 1]! < index[i]!;
  if (ascending) return { index: index.slice(), count: index.map((_, i) => count[i] ?? 0) };
  const summed = new Map<number, number>();
  index.forEach((bucket, i) => summed.set(bucket, (summed.get(bucket) ?? 0) + (count[i] ?? 0)));
  const sorted = [...summed.keys()].sort((a, b) => a - b);
  return { index: sorted, count: sorted.map((bucket) => summed.get(bucket)!) };
}

/** Two ascending bucket lists as one, equal indexes added: one linear pass, no map per group. */
function mergeAscending(a: Buckets, b: Buckets): Buckets {
  const index: number[] = [];
  const count: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.index.length || j < b.index.length) {
    const ai = i < a.index.length ? a.index[i]! : Number.POSITIVE_INFINITY;
    const bj = j < b.index.length ? b.index[j]! : Number.POSITIVE_INFINITY;
    if (ai === bj) {
      index.push(ai);
      count.push(a.count[i++]! + b.count[j++]!);
    } else if (ai < bj) {
      index.push(ai);
      count.push(a.count[i++]!);
    } else {
      index.push(bj);
      count.push(b.count[j++]!);
    }
  }
  return { index, count };
}

/**
 * Rows of the same group added up: counts summed, histograms merged bucket by bucket (indexes ascending in the
 * answer whatever order the rows held them in). A refreshed endpoint table merges ~1,000 cached groups with the open
 * hour's, so the buckets of two rows are merged as two ascending lists rather than through a map per group.
 */
export function mergeHistogramRows(...parts: readonly (readonly HistogramRow[])[]): HistogramRow[] {
  const merged = new Map<string, { row: CountRow; zero: number; max: number | null; buckets: Buckets }>();
  for (const part of parts) {
    for (const row of part) {
      const key = keyOf(row);
      const entry = merged.get(key);
      if (!entry) {
        merged.set(key, {
          row: { ...keyFields(row), ...counts(row) },
          zero: row.latencyZero,
          max: row.latencyMax,
          buckets: ascendingBuckets(row),
        });
        continue;
      }
      addCountsInto(entry.row, row);
      entry.zero += row.latencyZero;
      if (row.latencyMax !== null) entry.max = Math.max(entry.max ?? row.latencyMax, row.latencyMax);
      entry.buckets = mergeAscending(entry.buckets, ascendingBuckets(row));
    }
  }
  return [...merged.values()].map(({ row, zero, max, buckets }) => ({
    ...row,
    latencyZero: zero,
    latencyMax: max,
    bucketIndex: buckets.index,
    bucketCount: buckets.count,
  }));
}

const quantiles = { p50: 0.5, p95: 0.95, p99: 0.99, p999: 0.999 } as const;

const sumOf = (values: readonly number[]) => {
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
};

/** How many latencies a histogram holds, zeros included. */
const latencyTotal = (row: HistogramRow) => row.latencyZero + sumOf(row.bucketCount);

/**
 * The buckets holding ranks floor(q * (total - 1)) for ascending qs, as buildSummarySql finds them (null inside the
 * zero count, or without latencies; `total` is latencyTotal(row)): one walk over the buckets for all of them.
 */
function quantileIndexes(
  row: HistogramRow,
  total: number,
  ascendingQs: readonly number[],
): (number | null)[] {
  const found: (number | null)[] = [];
  let run = row.latencyZero;
  let i = 0;
  for (const q of ascendingQs) {
    const rank = Math.floor(q * (total - 1));
    if (total === 0 || row.latencyZero > rank) {
      found.push(null);
      continue;
    }
    while (i < row.bucketIndex.length && run + row.bucketCount[i]! <= rank) run += row.bucketCount[i++]!;
    found.push(i < row.bucketIndex.length ? row.bucketIndex[i]! : null);
  }
  return found;
}

/**
 * Any quantile q (0..1) of a merged histogram, as summarizeHistogram finds p50/p95/p99: null without latencies,
 * 0 inside the zero count. The alert evaluator counts a small series' requests above its pooled p90 too.
 */
export function histogramQuantileMs(row: HistogramRow, q: number): number | null {
  const total = latencyTotal(row);
  if (total === 0) return null;
  return roundLatencyMs(quantileValueMs(quantileIndexes(row, total, [q])[0]!, row.latencyMax));
}

/** Counts and p50/p95/p99 of a merged histogram: null without latencies, 0 inside the zero count. */
export function summarizeHistogram(row: HistogramRow): SummaryRow & { p95Index: number | null } {
  const total = latencyTotal(row);
  const hasLatencies = total > 0;
  const [p50, p95, p99, p999] = quantileIndexes(row, total, [
    quantiles.p50,
    quantiles.p95,
    quantiles.p99,
    quantiles.p999,
  ]);
  const value = (index: number | null | undefined) =>
    hasLatencies ? roundLatencyMs(quantileValueMs(index ?? null, row.latencyMax)) : null;
  return {
    ...keyFields(row),
    ...counts(row),
    // A row the engine already ranked and cut carries how many groups matched.
    ...(row.matched === undefined ? {} : { matched: row.matched }),
    p50: value(p50),
    p95: value(p95),
    p99: value(p99),
    p999: value(p999),
    maxLatency: hasLatencies && row.latencyMax !== null ? roundLatencyMs(row.latencyMax) : null,
    p95Index: hasLatencies ? (p95 ?? null) : null,
  };
}

type Ranked = CountRow & { p95Index?: number | null };

const errorRate = (r: CountRow) => (r.requests > 0 ? r.errors5xx / r.requests : 0);
const compareText = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);

/** The engine's ORDER BY for `top` (withTop in metrics-sql.ts): the measure, then requests, then the keys. */
function topOrder(by: NonNullable<MetricsQuery['top']>['by'], groupBy: GroupBy) {
  const measure = (r: Ranked): number => {
    if (by === 'errors5xx') return r.errors5xx;
    if (by === 'error_rate') return errorRate(r);
    // NULL (a zero p95 or no latencies) sorts last, below any bucket index.
    if (by === 'p95') return r.p95Index ?? Number.NEGATIVE_INFINITY;
    return 0;
  };
  return (a: Ranked, b: Ranked) =>
    measure(b) - measure(a) ||
    b.requests - a.requests ||
    (groupBy === 'step'
      ? (a.t ?? 0) - (b.t ?? 0)
      : compareText(a.service, b.service) || compareText(a.path, b.path) || compareText(a.method, b.method));
}

/** Sorts and cuts merged rows as the engine's `top` would; without `top` they are returned as they are. */
export function applyTop<T extends Ranked>(rows: T[], query: Pick<MetricsQuery, 'top' | 'groupBy'>): T[] {
  if (!query.top) return rows;
  const { by, limit, offset = 0, minRequests = 0 } = query.top;
  const kept = minRequests > 1 ? rows.filter((r) => r.requests >= minRequests) : rows;
  // `matched` as the engine's window count gives it: groups past the volume floor, before the cut.
  return [...kept]
    .sort(topOrder(by, query.groupBy))
    .slice(offset, offset + limit)
    .map((r) => ({ ...r, matched: kept.length }));
}
