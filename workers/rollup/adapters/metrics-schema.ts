import { DataType, Field, Float64, Int32, Int64, List, Schema, Utf8 } from 'apache-arrow';
import { metricsTableLayouts, type ColumnType, type MetricsTableName } from '../../domain/metrics-layout.js';

/**
 * The Arrow (and so Parquet) schema of each metrics table, generated from the table catalogue
 * (workers/domain/metrics-layout.ts): column order, names, types and nullability are the catalogue's. Times are
 * int64 epoch ms; convert in SQL with to_timestamp(minute_ms / 1000.0) (DuckDB) or from_unixtime(minute_ms / 1e3)
 * (Trino).
 */
const arrowTypes: Record<ColumnType, () => DataType> = {
  int64: () => new Int64(),
  float64: () => new Float64(),
  utf8: () => new Utf8(),
  'list<int32>': () => new List(new Field('item', new Int32(), false)),
  'list<int64>': () => new List(new Field('item', new Int64(), false)),
};

export function buildArrowSchema(table: MetricsTableName): Schema {
  return new Schema(
    metricsTableLayouts[table].columns.map((c) => new Field(c.name, arrowTypes[c.type](), c.nullable)),
  );
}

export const requestMetricsMinuteSchema = buildArrowSchema('request_metrics_minute');
export const requestMetricsHourSchema = buildArrowSchema('request_metrics_hour');
export const requestMetricsDaySchema = buildArrowSchema('request_metrics_day');
export const serviceMetricsMinuteSchema = buildArrowSchema('service_metrics_minute');
export const serviceMetricsHourSchema = buildArrowSchema('service_metrics_hour');
export const serviceMetricsQuarterSchema = buildArrowSchema('service_metrics_open_day_quarters');
export const requestMetricsQuarterSchema = buildArrowSchema('request_metrics_day_quarters');
export const serviceEventsSchema = buildArrowSchema('service_events');
export const serviceEdgesMinuteSchema = buildArrowSchema('service_edges_minute');
export const serviceEdgesHourSchema = buildArrowSchema('service_edges_hour');
