import { Field, Float64, Int32, Int64, List, Schema, Utf8 } from 'apache-arrow';

/**
 * Column schemas of the two metrics tables. Partition values (tenant, date, hour) live in the path only, as
 * Hive-style external tables expect. Times are plain int64 epoch milliseconds (UTC): DuckDB and Trino's Hive
 * connector both read INT64 without the timezone/unit ambiguities of Parquet TIMESTAMP; convert in SQL with
 * to_timestamp(minute_ms / 1000.0) (DuckDB) or from_unixtime(minute_ms / 1e3) (Trino).
 *
 * The latency histogram is two parallel lists sorted by index. Bucket i holds latencies in
 * (gamma^(i-1), gamma^i] ms with gamma = 1.01 / 0.99; its representative value is 2 * gamma^i / (1 + gamma).
 * 0 and subnormal latencies (< 2^-1022 ms) are counted in latency_zero_count (<= 1e-6 ms before 2026-12). Merge rows by UNNEST + SUM(count) GROUP BY index.
 */
const field = (name: string, type: ConstructorParameters<typeof Field>[1], nullable = false) =>
  new Field(name, type, nullable);

const int32List = () => new List(new Field('item', new Int32(), false));
const int64List = () => new List(new Field('item', new Int64(), false));

/** The measures every request metrics table holds after its key columns. */
const cellFields = () => [
  field('requests', new Int64()),
  field('errors_5xx', new Int64()),
  field('errors_4xx', new Int64()),
  field('latency_sum_ms', new Float64()),
  field('latency_min_ms', new Float64()),
  field('latency_max_ms', new Float64()),
  field('latency_p50_ms', new Float64()),
  field('latency_p95_ms', new Float64()),
  field('latency_p99_ms', new Float64()),
  field('latency_zero_count', new Int64()),
  field('latency_bucket_index', int32List()),
  field('latency_bucket_count', int64List()),
];

/** A request metrics table: its time column, its key (an endpoint or a service), then the measures. */
const metricsSchema = (timeColumn: string, key: 'endpoint' | 'service') =>
  new Schema([
    field(timeColumn, new Int64()),
    field('service', new Utf8()),
    ...(key === 'endpoint' ? [field('method', new Utf8()), field('path', new Utf8())] : []),
    ...cellFields(),
  ]);

export const requestMetricsMinuteSchema = metricsSchema('minute_ms', 'endpoint');
/** request_metrics_hour: one row per (hour, service, method, path), the exact merge of its 60 minute rows. */
export const requestMetricsHourSchema = metricsSchema('hour_ms', 'endpoint');
/** request_metrics_day: one row per (UTC day, service, method, path), partitioned by tenant and date only. */
export const requestMetricsDaySchema = metricsSchema('day_ms', 'endpoint');
/** service_metrics_minute / _hour: one row per (minute or hour, service), every endpoint of the service merged. */
export const serviceMetricsMinuteSchema = metricsSchema('minute_ms', 'service');
export const serviceMetricsHourSchema = metricsSchema('hour_ms', 'service');

export const serviceEventsSchema = new Schema([
  field('ts_ms', new Int64()),
  field('event_id', new Utf8()),
  field('type', new Utf8()),
  field('service', new Utf8()),
  field('version', new Utf8(), true),
  field('description', new Utf8(), true),
]);
