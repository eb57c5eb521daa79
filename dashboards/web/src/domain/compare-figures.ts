import type { TimeseriesPoint } from '../../../../workers/query/api-types.js';
import { formatCount, formatLatency, formatPercent } from './format.js';
import { errorRateChange, MIN_REQUESTS, relativeChange, type Change } from './service-overview.js';

/** One series' figure over the whole range and its change against the compared range. */
export interface CompareFigure {
  name: string;
  value: string;
  change: Change;
}

export const COMPARE_LABELS = { '1d': 'the day before', '7d': 'the week before' } as const;

type Totals = Pick<TimeseriesPoint, 'requests' | 'errors5xx' | 'errorRate' | 'p50' | 'p95' | 'p99'>;

/**
 * Requests, error rate and p50/p95/p99 over the whole range against the same range a day or a week earlier, as
 * numbers: a dashed line shows a shape, not "+40% p99". Both sides are one step spanning the range (the server
 * merges the histograms: percentiles are never averaged from the chart's buckets), cut before the bucket still
 * filling so a half-filled minute never reads as a drop. Significance follows the service overview's rules.
 */
export function buildCompareFigures(
  now: Totals,
  before: Totals | null,
  offset: '1d' | '7d',
): CompareFigure[] {
  const against = COMPARE_LABELS[offset];
  const was = before && before.requests > 0 ? before : null;
  const enough = now.requests >= MIN_REQUESTS && (was?.requests ?? 0) >= MIN_REQUESTS;
  const latency = (name: string, key: 'p50' | 'p95' | 'p99'): CompareFigure => ({
    name,
    value: formatLatency(now[key]),
    change: relativeChange(now[key], was?.[key] ?? null, true, enough, against),
  });
  return [
    {
      name: 'Requests',
      value: formatCount(now.requests),
      change: relativeChange(now.requests, was?.requests ?? null, false, enough, against),
    },
    { name: 'Error rate', value: formatPercent(now.errorRate), change: errorRateChange(now, was, against) },
    latency('P50', 'p50'),
    latency('P95', 'p95'),
    latency('P99', 'p99'),
  ];
}
