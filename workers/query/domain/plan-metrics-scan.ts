import { hourMs } from '../../domain/hour-metrics.js';
import type { MetricsQuery } from '../query-engine.js';

export interface TimeRange {
  /** Inclusive start, ms since epoch. */
  from: number;
  /** Exclusive end, ms since epoch. */
  to: number;
}

/** Which table covers which part of a query's range; together the parts cover [from, to) exactly once. */
export interface MetricsScanPlan {
  /** Whole hours, read from request_metrics_hour. */
  hours?: TimeRange;
  /** The ragged ends (or the whole range), read from request_metrics_minute. */
  minutes: TimeRange[];
}

/**
 * Reads whole hours from the hour table, where 60 minute histograms per endpoint are already merged, and only
 * the ragged ends from the minute table: a 7-day dashboard then merges ~170 rows per endpoint instead of
 * ~10,000. A step series may use hour rows only when every hour falls inside one step, i.e. the step is a whole
 * number of hours and the steps start on an hour (the dashboard aligns `from` to the step).
 */
export function planMetricsScan(
  query: Pick<MetricsQuery, 'from' | 'to' | 'groupBy' | 'stepMs'>,
): MetricsScanPlan {
  const { from, to } = query;
  const whole = { from: Math.ceil(from / hourMs) * hourMs, to: Math.floor(to / hourMs) * hourMs };
  const stepsFitHours =
    query.groupBy !== 'step' || ((query.stepMs ?? 0) % hourMs === 0 && from % hourMs === 0);
  if (!stepsFitHours || whole.to <= whole.from) return { minutes: [{ from, to }] };
  const minutes: TimeRange[] = [];
  if (from < whole.from) minutes.push({ from, to: whole.from });
  if (whole.to < to) minutes.push({ from: whole.to, to });
  return { hours: whole, minutes };
}
