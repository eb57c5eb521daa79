/**
 * What the query API needs from a SQL engine over the metrics layer. Two adapters: DuckDB over local Parquet
 * (embedded mode) and Trino over the S3 warehouse (Kubernetes). Both pass query-engine.contract.ts.
 * Adapters only aggregate; percentiles are computed from the merged histogram buckets they return.
 */
export type GroupBy = 'step' | 'endpoint' | 'service';

export interface MetricsQuery {
  tenant: string;
  /** Inclusive start and exclusive end, ms since epoch, aligned to minutes by the caller. */
  from: number;
  to: number;
  service?: string;
  method?: string;
  path?: string;
  groupBy: GroupBy;
  /** Required for groupBy 'step': rows are keyed by from + floor((minute - from) / stepMs) * stepMs. */
  stepMs?: number;
}

/** A group's key: { t } for step, { service, method, path } for endpoint, { service } for service. */
export interface GroupKey {
  t?: number;
  service?: string;
  method?: string;
  path?: string;
}

export interface CountRow extends GroupKey {
  requests: number;
  errors5xx: number;
  errors4xx: number;
}

export interface BucketRow extends GroupKey {
  /** null for the zero bucket (latencies of 0 ms). */
  index: number | null;
  count: number;
}

export interface EventRow {
  t: number;
  type: string;
  service: string;
  version: string | null;
  description: string | null;
}

export interface QueryEngine {
  counts(query: MetricsQuery): Promise<CountRow[]>;
  buckets(query: MetricsQuery): Promise<BucketRow[]>;
  events(query: { tenant: string; from: number; to: number; service?: string }): Promise<EventRow[]>;
  /** Start of the newest minute with metrics for the tenant within the lookback, or null. */
  lastMetricMinute(tenant: string, now: number, lookbackMs: number): Promise<number | null>;
  close(): Promise<void>;
}

export class QueryEngineError extends Error {
  readonly code = 'QUERY_ENGINE_ERROR';
}
