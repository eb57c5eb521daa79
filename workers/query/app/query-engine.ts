import type { ExemplarKind } from '../../domain/metrics-layout.js';

/**
 * What the query API needs from a SQL engine over the metrics layer. Two adapters: DuckDB over local Parquet
 * (embedded mode) and Trino over the S3 warehouse (Kubernetes). Both pass query-engine.contract.ts.
 * Percentiles always come from merging histograms bucket by bucket (never from averaging percentiles); the
 * merge and the rank search run inside the engine, next to the data, in one statement with the counts.
 */
export type GroupBy = 'step' | 'endpoint' | 'service';
/**
 * Which rows a metrics query reads: the request tables, or the service-map edge tables (docs/adr/0085), whose
 * rows answer as endpoints with the caller as `service`, the callee as `path` and an empty `method`, so every
 * grouping, filter, `top` and merge of the request tables applies to edges unchanged ('service' grouping aside).
 */
export type MetricsSource = 'requests' | 'edges';
export type TopBy = 'requests' | 'errors5xx' | 'error_rate' | 'p95';

export interface MetricsQuery {
  tenant: string;
  /** Absent: the request tables. */
  source?: MetricsSource;
  /** Inclusive start and exclusive end, ms since epoch, aligned to minutes by the caller. */
  from: number;
  to: number;
  service?: string;
  method?: string;
  path?: string;
  /** Only these services (e.g. the nodes of a service map). */
  services?: readonly string[];
  /** Only these endpoints (e.g. the top N by errors, whose percentiles the endpoint table then needs). */
  endpoints?: readonly { service: string; method: string; path: string }[];
  groupBy: GroupBy;
  /**
   * Only the first `limit` groups by `by` (descending; ties by requests, then by key): the engine sorts and cuts,
   * so a tenant with 300k services sends back `limit` rows, not 300k. 'p95' applies to summaries only.
   */
  top?: {
    by: TopBy;
    limit: number;
    /** Groups skipped before the first returned one (paging). */
    offset?: number;
    /** Groups with fewer requests are left out before ranking (an error rate of 1 request is not a ranking). */
    minRequests?: number;
  };
  /** Cancels the statement in the engine (timeout, client gone). */
  signal?: AbortSignal;
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
  /** Requests with a 1xx/2xx/3xx status, from rows that store the split. */
  status1xx: number;
  status2xx: number;
  status3xx: number;
  /**
   * Requests below 400 whose class is unknown: rows read from files written before the split was stored.
   * requests = status1xx + status2xx + status3xx + errors4xx + errors5xx + statusUnknown.
   */
  statusUnknown: number;
  /** Requests counted from sampled facts' adjusted counts: above 0, the group's counts are estimates. */
  estimatedRequests: number;
  /** With `top`: how many groups passed `minRequests` before the cut (the same on every row). */
  matched?: number;
}

/** A group's counts and percentiles of its merged histogram (null when the group has no latencies). */
export interface SummaryRow extends CountRow {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** p99.9, same rank rule as the others. */
  p999: number | null;
  /** Exact largest latency of the group (from latency_max_ms, not from the histogram). */
  maxLatency: number | null;
}

/** A group's counts and its merged histogram: bucket indexes ascending, with their counts (HistogramRow merges). */
export interface HistogramRow extends CountRow {
  latencyZero: number;
  /** Exact largest latency of the group (max of latency_max_ms); null without latencies. */
  latencyMax: number | null;
  bucketIndex: number[];
  bucketCount: number[];
}

export interface EventsQuery {
  tenant: string;
  from: number;
  to: number;
  service?: string;
  limit: number;
  signal?: AbortSignal;
}

export interface EventRow {
  t: number;
  type: string;
  service: string;
  version: string | null;
  description: string | null;
}

/**
 * The exemplars of a range's minute rows (request_metrics_minute, workers/domain/request-exemplars.ts): `slowest`
 * is each row's slowest request, `failed` its latest 5xx. Rows without one (no trace ids, older files) are skipped.
 */
export interface ExemplarsQuery {
  tenant: string;
  /** Minute rows whose minute falls in [from, to). */
  from: number;
  to: number;
  service?: string;
  method?: string;
  path?: string;
  kind: ExemplarKind;
  /** The first `limit` in the kind's order (domain/exemplar-order.ts). */
  limit: number;
  signal?: AbortSignal;
}

/** One kept request and the minute row (endpoint) it was kept for. */
export interface ExemplarRow {
  minute: number;
  service: string;
  method: string;
  path: string;
  traceId: string;
  /** Null for facts posted with a trace id only (spans always carry one). */
  spanId: string | null;
  latencyMs: number;
  statusCode: number;
  /** When the request was made (ms since epoch). */
  t: number;
}

export interface QueryEngine {
  /**
   * A statement costs more than merging every group's histogram (Trino plans each one for hundreds of
   * milliseconds; DuckDB for a millisecond): the service then answers an endpoint table with one summaries
   * statement instead of ranking by counts first and merging the top few's histograms next.
   */
  readonly prefersOneStatement?: boolean;
  counts(query: MetricsQuery): Promise<CountRow[]>;
  /** Counts and merged-histogram percentiles per group, in one pass over the data. */
  summaries(query: MetricsQuery): Promise<SummaryRow[]>;
  /** Counts and the merged histogram per group, unranked and uncut (`top` is ignored): what the result cache keeps. */
  histograms(query: MetricsQuery): Promise<HistogramRow[]>;
  /** The first `limit` events in time order. */
  events(query: EventsQuery): Promise<EventRow[]>;
  /** The first `limit` exemplars of one kind, in the kind's order (domain/exemplar-order.ts). */
  exemplars(query: ExemplarsQuery): Promise<ExemplarRow[]>;
  /** Start of the newest minute with metrics for the tenant within the lookback either side of `now`, or null. */
  lastMetricMinute(
    tenant: string,
    now: number,
    lookbackMs: number,
    signal?: AbortSignal,
  ): Promise<number | null>;
  /** Runs a trivial statement: resolves when the engine answers (readiness). */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export class QueryEngineError extends Error {
  readonly code = 'QUERY_ENGINE_ERROR';
}

/**
 * The engine itself ended a statement at its own time limit (Trino's `query_max_execution_time`, which the adapter
 * sets to the guard's timeout): a slow query, not a failing engine, so it answers like the guard's own timeout and
 * does not count towards the circuit breaker.
 */
export class QueryEngineTimeoutError extends QueryEngineError {}
