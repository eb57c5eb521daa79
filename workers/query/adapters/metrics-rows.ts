import { quantileValueMs, roundLatencyMs } from '../../domain/latency-sketch.js';
import type { CountRow, EventRow, GroupKey, HistogramRow, SummaryRow } from '../app/query-engine.js';

/** SQL engines return BIGINT as bigint or string depending on the driver; the API speaks JSON numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

const toText = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

function groupKey(row: Record<string, unknown>): GroupKey {
  const key: GroupKey = {};
  if (row['t'] !== undefined) key.t = toNumber(row['t']);
  for (const name of ['service', 'method', 'path'] as const) {
    if (row[name] !== undefined) key[name] = String(row[name]);
  }
  return key;
}

export function toCountRow(row: Record<string, unknown>): CountRow {
  return {
    ...groupKey(row),
    requests: toNumber(row['requests']),
    errors5xx: toNumber(row['errors5xx']),
    errors4xx: toNumber(row['errors4xx']),
    status1xx: toNumber(row['status1xx']),
    status2xx: toNumber(row['status2xx']),
    status3xx: toNumber(row['status3xx']),
    statusUnknown: toNumber(row['status_unknown']),
    estimatedRequests: toNumber(row['estimated_requests']),
    ...(row['matched'] === undefined ? {} : { matched: toNumber(row['matched']) }),
  };
}

const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : toNumber(value);

/** A percentile from its bucket index (buildSummarySql); a NULL index with data means the zero bucket. */
function percentile(
  row: Record<string, unknown>,
  name: string,
  hasLatencies: boolean,
  maxMs: number | null,
): number | null {
  if (!hasLatencies) return null;
  return roundLatencyMs(quantileValueMs(nullableNumber(row[`${name}_index`]), maxMs));
}

export function toSummaryRow(row: Record<string, unknown>): SummaryRow {
  const hasLatencies = toNumber(row['latency_zero']) + toNumber(row['latency_hist']) > 0;
  // Stored exactly per row (latency_max_ms), so the max of maxes is exact, not a bucket value.
  const maxMs = nullableNumber(row['latency_max']);
  return {
    ...toCountRow(row),
    p50: percentile(row, 'p50', hasLatencies, maxMs),
    p95: percentile(row, 'p95', hasLatencies, maxMs),
    p99: percentile(row, 'p99', hasLatencies, maxMs),
    p999: percentile(row, 'p999', hasLatencies, maxMs),
    maxLatency: hasLatencies ? roundLatencyMs(maxMs ?? 0) : null,
  };
}

export function toEventRow(row: Record<string, unknown>): EventRow {
  return {
    t: toNumber(row['t']),
    type: String(row['type']),
    service: String(row['service']),
    version: toText(row['version']),
    description: toText(row['description']),
  };
}

/** A list column: an array (Trino's JSON) or DuckDB's list value ({ items }); NULL is an empty list. */
function toNumberList(value: unknown): number[] {
  const items = Array.isArray(value) ? value : (value as { items?: unknown[] } | null)?.items;
  return (items ?? []).map(toNumber);
}

export function toHistogramRow(row: Record<string, unknown>): HistogramRow {
  return {
    ...toCountRow(row),
    latencyZero: toNumber(row['latency_zero']),
    latencyMax: nullableNumber(row['latency_max']),
    bucketIndex: toNumberList(row['bucket_index']),
    bucketCount: toNumberList(row['bucket_count']),
  };
}
