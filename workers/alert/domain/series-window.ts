import { latencyBucketIndex } from '../../domain/latency-sketch.js';
import type { HistogramRow } from '../../query/app/query-engine.js';
import { summarizeHistogram } from '../../query/domain/merge-summaries.js';
import type { AlertSelector } from '../../../crds/gravix-alert-rule-spec.js';

/** One series an alert watches: a service, an endpoint, or (each: none) everything the selector matched. */
export interface SeriesKey {
  service?: string;
  method?: string;
  path?: string;
}

/**
 * A series over one window: counts and its merged latency histogram (the engine's HistogramRow), so percentiles
 * and "requests slower than X" come from the same merge the query API uses, never from averaged percentiles.
 */
export type SeriesWindow = HistogramRow;

export const seriesId = (key: SeriesKey) =>
  [key.service ?? '*', key.method ?? '*', key.path ?? '*'].join(' ');

export function describeSeries(key: SeriesKey): string {
  if (key.service === undefined) return 'all services';
  return key.path === undefined ? key.service : `${key.service} ${key.method} ${key.path}`;
}

/** 5xx responses in percent; null without requests. */
export function errorRatePct(w: Pick<SeriesWindow, 'requests' | 'errors5xx'>): number | null {
  return w.requests > 0 ? (100 * w.errors5xx) / w.requests : null;
}

export function percentileMs(w: SeriesWindow, metric: 'p50' | 'p95' | 'p99'): number | null {
  return summarizeHistogram(w)[metric];
}

/**
 * Requests slower than thresholdMs, counted by bucket: a bucket whose representative value is above the
 * threshold's own bucket counts as slow, so the answer carries the sketch's 1% relative accuracy.
 */
export function slowRequests(w: SeriesWindow, thresholdMs: number): number {
  const limit = thresholdMs <= 0 ? Number.NEGATIVE_INFINITY : latencyBucketIndex(thresholdMs);
  let slow = 0;
  w.bucketIndex.forEach((index, i) => {
    if (index > limit) slow += w.bucketCount[i] ?? 0;
  });
  return slow;
}

/** Requests with a latency in the histogram (zero latencies included): what a share of slow requests is of. */
export const latencyCount = (w: SeriesWindow) => w.latencyZero + w.bucketCount.reduce((a, b) => a + b, 0);

/** '*' matches any run of characters; everything else literally. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === 0) {
      if (!value.startsWith(part)) return false;
      at = part.length;
    } else if (i === parts.length - 1) {
      return value.length - part.length >= at && value.endsWith(part);
    } else {
      const found = value.indexOf(part, at);
      if (found === -1) return false;
      at = found + part.length;
    }
  }
  return true;
}

/** Whether the engine must group by endpoint (a method or route filter, or per-endpoint fan-out). */
export const needsEndpoints = (s: AlertSelector) =>
  s.each === 'endpoint' || s.method !== '*' || s.route !== '*';

/** The series a row belongs to under the selector's fan-out, or undefined when the selector does not match it. */
export function seriesOf(selector: AlertSelector, row: SeriesKey): SeriesKey | undefined {
  if (!globMatches(selector.service, row.service ?? '')) return undefined;
  if (needsEndpoints(selector)) {
    if (!globMatches(selector.method, row.method ?? '')) return undefined;
    if (!globMatches(selector.route, row.path ?? '')) return undefined;
  }
  if (selector.each === 'none') return {};
  if (selector.each === 'service') return { service: row.service };
  return { service: row.service, method: row.method, path: row.path };
}

export const emptyWindow = (key: SeriesKey): SeriesWindow => ({
  ...key,
  requests: 0,
  errors5xx: 0,
  errors4xx: 0,
  status1xx: 0,
  status2xx: 0,
  status3xx: 0,
  statusUnknown: 0,
  estimatedRequests: 0,
  latencyZero: 0,
  latencyMax: null,
  bucketIndex: [],
  bucketCount: [],
});
