/**
 * The metrics Gravix exposes about itself, as the self-monitoring dashboard and rules may use them. The ingest and
 * operator families are checked against the real registries (self-monitoring-metrics.test.ts); so are the rollup
 * loop's, except that the query server also exposes gravix_rollup_last_success_timestamp_seconds (per tenant, from the
 * manifests) and gravix_rollup_lag_seconds. Reconcile errors are gravix_operator_reconcile_total{result="error"}.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricFamily {
  name: string;
  type: MetricType;
  labels: string[];
  exposedBy: 'ingest' | 'rollup' | 'query' | 'operator' | 'prometheus' | 'process';
}

const family = (
  exposedBy: MetricFamily['exposedBy'],
  type: MetricType,
  name: string,
  labels: string[] = [],
): MetricFamily => ({ name, type, labels, exposedBy });

export const SELF_MONITORING_METRICS: readonly MetricFamily[] = [
  family('ingest', 'counter', 'gravix_ingest_http_requests_total', ['route', 'status']),
  family('ingest', 'histogram', 'gravix_ingest_request_duration_seconds', ['route']),
  family('ingest', 'counter', 'gravix_ingest_facts_accepted_total', ['tenant']),
  family('ingest', 'counter', 'gravix_ingest_facts_rejected_total', ['tenant', 'code']),
  family('ingest', 'counter', 'gravix_ingest_events_accepted_total', ['tenant']),
  family('ingest', 'counter', 'gravix_ingest_otlp_spans_skipped_total', ['tenant']),
  family('ingest', 'counter', 'gravix_ingest_otlp_edges_accepted_total', ['tenant']),
  family('ingest', 'histogram', 'gravix_wal_fsync_duration_seconds'),
  family('ingest', 'gauge', 'gravix_wal_bytes'),
  family('ingest', 'gauge', 'gravix_upload_backlog_segments'),
  family('ingest', 'gauge', 'gravix_upload_backlog_bytes'),
  family('ingest', 'counter', 'gravix_upload_failures_total'),
  family('ingest', 'histogram', 'gravix_upload_duration_seconds'),
  family('rollup', 'counter', 'gravix_rollup_runs_total', ['result']),
  family('rollup', 'gauge', 'gravix_rollup_last_success_timestamp_seconds'),
  family('rollup', 'histogram', 'gravix_rollup_pass_duration_seconds'),
  family('rollup', 'counter', 'gravix_rollup_partition_failures_total', ['code']),
  family('rollup', 'gauge', 'gravix_rollup_failing_partitions'),
  family('query', 'gauge', 'gravix_rollup_lag_seconds', ['tenant']),
  family('operator', 'counter', 'gravix_operator_reconcile_total', ['result']),
  family('operator', 'histogram', 'gravix_operator_reconcile_duration_seconds'),
  family('prometheus', 'gauge', 'up'),
  family('process', 'gauge', 'process_resident_memory_bytes'),
  // The operator registers prom-client's default metrics with its own prefix.
  family('operator', 'gauge', 'gravix_operator_process_resident_memory_bytes'),
];

/** The series names a family produces on /metrics (a histogram has _bucket, _sum and _count). */
export function seriesNames(metric: MetricFamily): string[] {
  if (metric.type !== 'histogram') return [metric.name];
  return ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`);
}

export const KNOWN_SERIES: ReadonlySet<string> = new Set(SELF_MONITORING_METRICS.flatMap(seriesNames));
