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
  for (const row of parts.flat()) {
    const key = keyOf(row);
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...keyFields(row), ...counts(row) });
    else Object.assign(seen, addCounts(seen, row));
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

const counts = (r: CountRow): Counts =>
  Object.fromEntries(countFields.map((f) => [f, r[f]])) as unknown as Counts;
const addCounts = (a: CountRow, b: CountRow): Counts =>
  Object.fromEntries(countFields.map((f) => [f, a[f] + b[f]])) as unknown as Counts;

export function mergeHistogramRows(...parts: readonly (readonly HistogramRow[])[]): HistogramRow[] {
  const merged = new Map<
    string,
    { row: CountRow; zero: number; max: number | null; buckets: Map<number, number> }
  >();
  for (const row of parts.flat()) {
    const key = keyOf(row);
    let entry = merged.get(key);
    if (!entry) {
      entry = { row: { ...keyFields(row), ...counts(row) }, zero: 0, max: null, buckets: new Map() };
      merged.set(key, entry);
    } else Object.assign(entry.row, addCounts(entry.row, row));
    entry.zero += row.latencyZero;
    if (row.latencyMax !== null) entry.max = Math.max(entry.max ?? row.latencyMax, row.latencyMax);
    row.bucketIndex.forEach((index, i) => {
      entry.buckets.set(index, (entry.buckets.get(index) ?? 0) + (row.bucketCount[i] ?? 0));
    });
  }
  return [...merged.values()].map(({ row, zero, max, buckets }) => {
    const indexes = [...buckets.keys()].sort((a, b) => a - b);
    return {
      ...row,
      latencyZero: zero,
      latencyMax: max,
      bucketIndex: indexes,
      bucketCount: indexes.map((i) => buckets.get(i)!),
    };
  });
}

const quantiles = { p50: 0.5, p95: 0.95, p99: 0.99, p999: 0.999 } as const;

/** The bucket holding rank floor(q * (total - 1)), as buildSummarySql finds it; null inside the zero count. */
function quantileIndex(row: HistogramRow, q: number): number | null {
  const hist = row.bucketCount.reduce((a, b) => a + b, 0);
  const rank = Math.floor(q * (row.latencyZero + hist - 1));
  if (row.latencyZero > rank) return null;
  let run = row.latencyZero;
  for (let i = 0; i < row.bucketIndex.length; i++) {
    run += row.bucketCount[i]!;
    if (run > rank) return row.bucketIndex[i]!;
  }
  return null;
}

/**
 * Any quantile q (0..1) of a merged histogram, as summarizeHistogram finds p50/p95/p99: null without latencies,
 * 0 inside the zero count. The alert evaluator counts a small series' requests above its pooled p90 too.
 */
export function histogramQuantileMs(row: HistogramRow, q: number): number | null {
  if (row.latencyZero + row.bucketCount.reduce((a, b) => a + b, 0) === 0) return null;
  return roundLatencyMs(quantileValueMs(quantileIndex(row, q), row.latencyMax));
}

/** Counts and p50/p95/p99 of a merged histogram: null without latencies, 0 inside the zero count. */
export function summarizeHistogram(row: HistogramRow): SummaryRow & { p95Index: number | null } {
  const hasLatencies = row.latencyZero + row.bucketCount.reduce((a, b) => a + b, 0) > 0;
  const value = (q: number) => {
    if (!hasLatencies) return null;
    const index = quantileIndex(row, q);
    return roundLatencyMs(quantileValueMs(index, row.latencyMax));
  };
  return {
    ...keyFields(row),
    ...counts(row),
    // A row the engine already ranked and cut carries how many groups matched.
    ...(row.matched === undefined ? {} : { matched: row.matched }),
    p50: value(quantiles.p50),
    p95: value(quantiles.p95),
    p99: value(quantiles.p99),
    p999: value(quantiles.p999),
    maxLatency: hasLatencies && row.latencyMax !== null ? roundLatencyMs(row.latencyMax) : null,
    p95Index: hasLatencies ? quantileIndex(row, quantiles.p95) : null,
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
