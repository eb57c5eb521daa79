import {
  Data,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Struct,
  Table,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
  type Schema,
} from 'apache-arrow';
import type { RawServiceEvent } from '../../domain/raw-record.js';
import { compareMinuteKeys, type MinuteMetricsRow } from '../../domain/minute-metrics.js';
import type {
  DayMetricsRow,
  HourMetricsRow,
  QuarterMetricsRow,
  MetricsCells,
  RollupResolution,
  ServiceMetricsRow,
} from '../../domain/hour-metrics.js';
import {
  decodeParquet,
  encodeParquet,
  encodeParquetParts,
  type ParquetWriteOptions,
} from '../../adapters/parquet-codec.js';
import { metricsTableLayouts } from '../../domain/metrics-layout.js';
import {
  requestMetricsDaySchema,
  requestMetricsHourSchema,
  requestMetricsMinuteSchema,
  requestMetricsQuarterSchema,
  serviceEdgesHourSchema,
  serviceEdgesMinuteSchema,
  serviceEventsSchema,
  serviceMetricsHourSchema,
  serviceMetricsQuarterSchema,
  serviceMetricsMinuteSchema,
} from './metrics-schema.js';
import { decodeExemplars, exemplarColumnEncoders } from './exemplar-columns.js';
import type { EdgeMetricsRow } from '../../domain/edge-metrics.js';

function int64Data(values: readonly number[]): Data<Int64> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return makeData({ type: new Int64(), length: data.length, nullCount: 0, data });
}

/** int64 with NULLs (a validity bitmap): status class counts merged from a file written before they existed. */
function nullableInt64Data(values: readonly (number | null)[]): Data<Int64> {
  const nulls = values.filter((v) => v === null).length;
  if (nulls === 0) return int64Data(values as number[]);
  const data = new BigInt64Array(values.length);
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    data[i] = BigInt(v);
    nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type: new Int64(), length: values.length, nullCount: nulls, data, nullBitmap });
}

function float64Data(values: readonly number[]): Data<Float64> {
  return makeData({
    type: new Float64(),
    length: values.length,
    nullCount: 0,
    data: Float64Array.from(values),
  });
}

function utf8Data(values: readonly (string | undefined)[]): Data<Utf8> {
  return vectorFromArray(
    values.map((v) => v ?? null),
    new Utf8(),
  ).data[0]!;
}

/**
 * list<item> built directly from offsets and one typed array of every row's values, so a million-row hour (or a
 * day's ~100,000 quarter-hour rows of ~100 buckets each) goes through neither per-value builders nor a growing
 * array of every value (docs/adr/0144: that array was a third of a day's tile build).
 */
function listData<T extends Int32Array | BigInt64Array>(
  type: DataType,
  lists: readonly (readonly number[])[],
  values: (length: number) => T,
  set: (values: T, at: number, value: number) => void,
  child: (values: T) => Data,
): Data {
  const offsets = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) offsets[i + 1] = offsets[i]! + lists[i]!.length;
  const flat = values(offsets[lists.length]!);
  let at = 0;
  for (const list of lists) for (let k = 0; k < list.length; k++) set(flat, at++, list[k]!);
  return makeData({
    type,
    length: lists.length,
    nullCount: 0,
    valueOffsets: offsets,
    child: child(flat),
  } as never);
}

function buildTable(schema: Schema, children: Data[], length: number): Table {
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}

/**
 * A row of any request, service or edge metrics table, with its time column's value as startMs; method/path only
 * on endpoints, caller/callee only on edges.
 */
type MetricsTableRow = MetricsCells & {
  startMs: number;
  service?: string;
  method?: string;
  path?: string;
  caller?: string;
  callee?: string;
};

const int32ListData = (type: DataType, lists: readonly (readonly number[])[]) =>
  listData(
    type,
    lists,
    (n) => new Int32Array(n),
    (values, at, v) => (values[at] = v),
    (data) => makeData({ type: new Int32(), length: data.length, nullCount: 0, data }),
  );

const int64ListData = (type: DataType, lists: readonly (readonly number[])[]) =>
  listData(
    type,
    lists,
    (n) => new BigInt64Array(n),
    (values, at, v) => (values[at] = BigInt(v)),
    (data) => makeData({ type: new Int64(), length: data.length, nullCount: 0, data }),
  );

/** How each column of the request metrics tables is built from rows; a schema picks the columns it has. */
export const metricsColumnEncoders: Record<
  string,
  (rows: readonly MetricsTableRow[], type: DataType) => Data
> = {
  minute_ms: (rows) => int64Data(rows.map((r) => r.startMs)),
  hour_ms: (rows) => int64Data(rows.map((r) => r.startMs)),
  quarter_ms: (rows) => int64Data(rows.map((r) => r.startMs)),
  day_ms: (rows) => int64Data(rows.map((r) => r.startMs)),
  service: (rows) => utf8Data(rows.map((r) => r.service)),
  method: (rows) => utf8Data(rows.map((r) => r.method)),
  path: (rows) => utf8Data(rows.map((r) => r.path)),
  caller: (rows) => utf8Data(rows.map((r) => r.caller)),
  callee: (rows) => utf8Data(rows.map((r) => r.callee)),
  requests: (rows) => int64Data(rows.map((r) => r.requests)),
  errors_5xx: (rows) => int64Data(rows.map((r) => r.errors5xx)),
  errors_4xx: (rows) => int64Data(rows.map((r) => r.errors4xx)),
  status_1xx: (rows) => nullableInt64Data(rows.map((r) => r.status1xx)),
  status_2xx: (rows) => nullableInt64Data(rows.map((r) => r.status2xx)),
  status_3xx: (rows) => nullableInt64Data(rows.map((r) => r.status3xx)),
  estimated_requests: (rows) => int64Data(rows.map((r) => r.estimatedRequests)),
  latency_sum_ms: (rows) => float64Data(rows.map((r) => r.latencySumMs)),
  latency_min_ms: (rows) => float64Data(rows.map((r) => r.latencyMinMs)),
  latency_max_ms: (rows) => float64Data(rows.map((r) => r.latencyMaxMs)),
  latency_p50_ms: (rows) => float64Data(rows.map((r) => r.latencyP50Ms)),
  latency_p95_ms: (rows) => float64Data(rows.map((r) => r.latencyP95Ms)),
  latency_p99_ms: (rows) => float64Data(rows.map((r) => r.latencyP99Ms)),
  latency_zero_count: (rows) => int64Data(rows.map((r) => r.latency.zeroCount)),
  latency_bucket_index: (rows, type) =>
    int32ListData(
      type,
      rows.map((r) => r.latency.indexes),
    ),
  latency_bucket_count: (rows, type) =>
    int64ListData(
      type,
      rows.map((r) => r.latency.counts),
    ),
  ...exemplarColumnEncoders,
};

function buildMetricsTable(schema: Schema, rows: readonly MetricsTableRow[]): Table {
  const children = schema.fields.map((f) => metricsColumnEncoders[f.name]!(rows, f.type as DataType));
  return buildTable(schema, children, rows.length);
}

export function buildServiceEventsTable(events: readonly RawServiceEvent[]): Table {
  return buildTable(
    serviceEventsSchema,
    [
      int64Data(events.map((e) => e.ts)),
      utf8Data(events.map((e) => e.event_id)),
      utf8Data(events.map((e) => e.type)),
      utf8Data(events.map((e) => e.service)),
      utf8Data(events.map((e) => e.version)),
      utf8Data(events.map((e) => e.description)),
    ],
    events.length,
  );
}

export const encodeRequestMetrics = (rows: readonly MinuteMetricsRow[], options: ParquetWriteOptions = {}) =>
  encodeParquet(
    buildMetricsTable(
      requestMetricsMinuteSchema,
      rows.map((r) => ({ ...r, startMs: r.minuteMs })),
    ),
    options,
  );

export const encodeHourMetrics = (rows: readonly HourMetricsRow[], options: ParquetWriteOptions = {}) =>
  encodeParquet(
    buildMetricsTable(
      requestMetricsHourSchema,
      rows.map((r) => ({ ...r, startMs: r.hourMs })),
    ),
    options,
  );
export const encodeDayMetrics = (rows: readonly DayMetricsRow[]) =>
  encodeParquet(
    buildMetricsTable(
      requestMetricsDaySchema,
      rows.map((r) => ({ ...r, startMs: r.dayMs })),
    ),
  );
export const encodeServiceMetrics = (
  resolution: Exclude<RollupResolution, 'quarter'>,
  rows: readonly ServiceMetricsRow[],
  options: ParquetWriteOptions = {},
) =>
  encodeParquet(
    buildMetricsTable(resolution === 'minute' ? serviceMetricsMinuteSchema : serviceMetricsHourSchema, rows),
    options,
  );
/** request_metrics_day_quarters and request_metrics_open_day_quarters (docs/adr/0141): the same columns. */
/**
 * request_metrics_day_quarters and request_metrics_open_day_quarters (docs/adr/0141, 0144): the same columns. A day
 * of them is ~100,000 rows of histogram lists for 1,000 endpoints, encoded in parts so the writer never holds it all.
 */
export const encodeRequestQuarterMetrics = (
  rows: readonly QuarterMetricsRow[],
  options: ParquetWriteOptions = {},
): Promise<Uint8Array> => encodeParquetParts(quarterTableParts(rows), options);

const quarterPartRows = 8192;

function* quarterTableParts(rows: readonly QuarterMetricsRow[]): Generator<Table> {
  for (let at = 0; at === 0 || at < rows.length; at += quarterPartRows) {
    const part = rows.slice(at, at + quarterPartRows).map((r) => ({ ...r, startMs: r.quarterMs }));
    yield buildMetricsTable(requestMetricsQuarterSchema, part);
  }
}

/** service_metrics_day_quarters and service_metrics_open_day_quarters (docs/adr/0091, 0141). */
export const encodeServiceQuarterMetrics = (
  rows: readonly ServiceMetricsRow[],
  options: ParquetWriteOptions = {},
) => encodeParquet(buildMetricsTable(serviceMetricsQuarterSchema, rows), options);

/**
 * service_edges_minute or service_edges_hour (docs/adr/0085); the edge day-hours tiles hold the hour table's
 * columns (docs/adr/0104), so they are written as 'hour'.
 */
export const encodeEdgeMetrics = (
  resolution: 'minute' | 'hour',
  rows: readonly EdgeMetricsRow[],
  options: ParquetWriteOptions = {},
) =>
  encodeParquet(
    buildMetricsTable(resolution === 'minute' ? serviceEdgesMinuteSchema : serviceEdgesHourSchema, rows),
    options,
  );
export const encodeServiceEvents = (events: readonly RawServiceEvent[]) =>
  encodeParquet(buildServiceEventsTable(events));

const numbers = (value: unknown): number[] =>
  Array.from((value as { toArray(): ArrayLike<number | bigint> }).toArray(), Number);

const nullableNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

function decodeRequestMetricsRow(r: Record<string, unknown>): Omit<MinuteMetricsRow, 'minuteMs'> {
  return {
    service: String(r['service']),
    method: String(r['method']),
    path: String(r['path']),
    ...decodeMetricsCells(r),
  };
}

function decodeMetricsCells(r: Record<string, unknown>): MetricsCells {
  return {
    requests: Number(r['requests']),
    errors5xx: Number(r['errors_5xx']),
    errors4xx: Number(r['errors_4xx']),
    // A file written before the status classes were stored has no such column: unknown, not 0.
    status1xx: nullableNumber(r['status_1xx']),
    status2xx: nullableNumber(r['status_2xx']),
    status3xx: nullableNumber(r['status_3xx']),
    // A file written before sampled counts were marked held no weighted facts: not estimated.
    estimatedRequests: nullableNumber(r['estimated_requests']) ?? 0,
    latencySumMs: Number(r['latency_sum_ms']),
    latencyMinMs: Number(r['latency_min_ms']),
    latencyMaxMs: Number(r['latency_max_ms']),
    latencyP50Ms: Number(r['latency_p50_ms']),
    latencyP95Ms: Number(r['latency_p95_ms']),
    latencyP99Ms: Number(r['latency_p99_ms']),
    latency: {
      zeroCount: Number(r['latency_zero_count']),
      indexes: numbers(r['latency_bucket_index']),
      counts: numbers(r['latency_bucket_count']),
    },
  };
}

/** Reads a request metrics file back into rows, its time column under the given property name. */
function decodeMetrics<K extends string>(bytes: Uint8Array, timeColumn: string, as: K) {
  return decodeParquet(bytes)
    .toArray()
    .map((r: Record<string, unknown>) => ({
      [as]: Number(r[timeColumn]),
      ...decodeRequestMetricsRow(r),
    })) as (Omit<MinuteMetricsRow, 'minuteMs'> & Record<K, number>)[];
}

/**
 * Reads a request_metrics_minute file back into rows, with their exemplars, in the rollup's row order (minute, then
 * endpoint) whatever order the file keeps (encodeMinuteFile writes it by endpoint): tables derived from the rows
 * then sum their latencies in the order the rollup did, to the same bits (derive-missing-tables.ts, tests).
 */
export const decodeRequestMetrics = (bytes: Uint8Array): MinuteMetricsRow[] =>
  decodeRequestMetricsInFileOrder(bytes).sort(compareMinuteKeys);

function decodeRequestMetricsInFileOrder(bytes: Uint8Array): MinuteMetricsRow[] {
  const rows: MinuteMetricsRow[] = decodeMetrics(
    bytes,
    metricsTableLayouts.request_metrics_minute.timeColumn,
    'minuteMs',
  );
  decodeParquet(bytes)
    .toArray()
    .forEach((r: Record<string, unknown>, i: number) => {
      const exemplars = decodeExemplars(r);
      if (exemplars) rows[i]!.exemplars = exemplars;
    });
  return rows;
}
/**
 * A request_metrics_minute file's rows without their exemplars, in file order: what an open-hour tile merges
 * (docs/adr/0123), decoded once instead of twice.
 */
export const decodeRequestMinuteMeasures = (bytes: Uint8Array): MinuteMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.request_metrics_minute.timeColumn, 'minuteMs');
/** Reads a request_metrics_hour file back into rows (day tiles, tests). */
export const decodeHourMetrics = (bytes: Uint8Array): HourMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.request_metrics_hour.timeColumn, 'hourMs');
/** Reads a service_metrics_hour file back into rows (day tiles, tests). */
export const decodeServiceHourMetrics = (bytes: Uint8Array): ServiceMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.service_metrics_hour.timeColumn, 'startMs').map(
    ({ method: _m, path: _p, ...row }) => row,
  );
/** Reads a service_metrics_minute file back into rows (open-day quarter tiles, tests). */
export const decodeServiceMinuteMetrics = (bytes: Uint8Array): ServiceMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.service_metrics_minute.timeColumn, 'startMs').map(
    ({ method: _m, path: _p, ...row }) => row,
  );
/** Reads a request_metrics_day_quarters (or open-day) tile back into rows (tests). */
export const decodeRequestQuarterMetrics = (bytes: Uint8Array): QuarterMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.request_metrics_day_quarters.timeColumn, 'quarterMs');
/** Reads a service quarter-hour tile (service_metrics_day_quarters or open-day) back into rows (tests). */
export const decodeServiceQuarterMetrics = (bytes: Uint8Array): ServiceMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.service_metrics_day_quarters.timeColumn, 'startMs').map(
    ({ method: _m, path: _p, ...row }) => row,
  );
/** Reads a request_metrics_day file back into rows (tests). */
export const decodeDayMetrics = (bytes: Uint8Array): DayMetricsRow[] =>
  decodeMetrics(bytes, metricsTableLayouts.request_metrics_day.timeColumn, 'dayMs');

/** Reads a service_edges_minute or service_edges_hour file (or an edge tile of hour rows) back into rows. */
export const decodeEdgeMetrics = (bytes: Uint8Array, resolution: 'minute' | 'hour'): EdgeMetricsRow[] => {
  const table = resolution === 'minute' ? 'service_edges_minute' : 'service_edges_hour';
  const timeColumn = metricsTableLayouts[table].timeColumn;
  return decodeParquet(bytes)
    .toArray()
    .map((r: Record<string, unknown>) => ({
      startMs: Number(r[timeColumn]),
      caller: String(r['caller']),
      callee: String(r['callee']),
      ...decodeMetricsCells(r),
    }));
};
