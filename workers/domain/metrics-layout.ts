import type { RawPartition } from './raw-partition.js';

/**
 * The metrics layer's one owner: every table's name, time column, key columns, typed columns and partition depth,
 * and every object key under metrics/ (data files, hour manifests, day tiles, day markers). The Arrow/Parquet
 * schemas (rollup/adapters/metrics-schema.ts), the Trino DDL, the DuckDB globs, the freshness reader and the
 * rollup all build from this file; metrics-layout.test.ts fails when any of them names a column or a key it
 * lacks. The raw layer's keys are the ingest/rollup contract in raw-partition.ts.
 *
 * Times are int64 epoch milliseconds (UTC): DuckDB and Trino's Hive connector both read INT64 without the
 * unit/timezone ambiguities of Parquet TIMESTAMP. Partition values (tenant, date, hour) live in the key only, as
 * Hive-style external tables expect. The latency histogram is two parallel lists sorted by bucket index (see
 * latency-sketch.ts for the mapping); 0 and subnormal latencies are counted in latency_zero_count.
 */
export type ColumnType = 'int64' | 'float64' | 'utf8' | 'list<int32>' | 'list<int64>';

export interface MetricsColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /**
   * Added after files were already written without it: those files stay readable and the engines read the
   * column as NULL there (DuckDB through a typed empty branch, Trino through ALTER TABLE ADD COLUMN), never as 0.
   */
  readonly addedLater?: true;
}

/**
 * 'hour': tenant=T/date=D/hour=H/ (one file per hour partition); 'day': tenant=T/date=D/ (day tiles);
 * 'hours': tenant=T/date=D/hours=N/ (open-day tiles: the first N hours of a day not yet closed);
 * 'minutes': tenant=T/date=D/hour=H/minutes=M/ (open-hour tiles: the first M minutes of an hour not yet closed).
 */
export type PartitionDepth = 'hour' | 'day' | 'hours' | 'minutes';

export const metricsTableNames = [
  'request_metrics_minute',
  'request_metrics_hour',
  'request_metrics_day',
  'request_metrics_day_hours',
  'service_metrics_minute',
  'service_metrics_hour',
  'service_metrics_day_hours',
  'request_metrics_day_quarters',
  'service_metrics_day_quarters',
  'request_metrics_open_day',
  'request_metrics_open_day_hours',
  'service_metrics_open_day_hours',
  'service_metrics_open_day_quarters',
  'request_metrics_open_day_quarters',
  'service_edges_minute',
  'service_edges_hour',
  'service_edges_day_hours',
  'service_edges_open_day_hours',
  'request_metrics_open_hour',
  'service_metrics_open_hour',
  'service_events',
] as const;
export type MetricsTableName = (typeof metricsTableNames)[number];

/**
 * Tables the rollup builds once per closed day from that day's hour files (refresh-day-tiles.ts), one file per
 * (tenant, date): the day rows of request_metrics_day, the day's hour rows of the three hour tables in one
 * file each, so a 7-day step series, service list or service map opens 7 files instead of 168 (docs/adr/0075,
 * docs/adr/0104 for the edges), and the day's minute rows per quarter-hour of endpoints and services, so a
 * 24-hour chart at 15-minute steps opens one file for the day instead of 24 minute files (docs/adr/0141).
 */
export const dayTileTables = [
  'request_metrics_day',
  'request_metrics_day_hours',
  'service_metrics_day_hours',
  'service_edges_day_hours',
  'request_metrics_day_quarters',
  'service_metrics_day_quarters',
] as const satisfies readonly MetricsTableName[];
export type DayTileTable = (typeof dayTileTables)[number];

/**
 * The day tiles of hour rows (every day tile but request_metrics_day's day rows): a date counts as having them for
 * the query side only when all of them exist (TenantSnapshot.hourTiles), so one listing decides for every level.
 */
export const dayHoursTileTables = [
  'request_metrics_day_hours',
  'service_metrics_day_hours',
  'service_edges_day_hours',
] as const satisfies readonly DayTileTable[];

/**
 * The day tiles of quarter-hour rows (docs/adr/0141): a date counts as having them for the query side only when
 * both exist (TenantSnapshot.quarterTiles). A day tiled before they existed reads its minute files for a chart at
 * quarter-hour steps until the rollup rebuilds its tiles (the day marker's digest names the tile tables).
 */
export const dayQuarterTileTables = [
  'request_metrics_day_quarters',
  'service_metrics_day_quarters',
] as const satisfies readonly DayTileTable[];

/**
 * The same tiles for a day that is still open, over its first N closed hours only (docs/adr/0091): one
 * file per (tenant, date, N), partitioned by the hours it covers, so the plan of a 7-day call reads the open day's
 * closed hours from one file instead of 23. Rebuilt by the rollup as hours close; the key names the coverage, so
 * a file is never replaced by one covering other hours, only (on late data) by the same hours recomputed.
 */
export const openDayTileTables = [
  'request_metrics_open_day',
  'request_metrics_open_day_hours',
  'service_metrics_open_day_hours',
  'service_metrics_open_day_quarters',
  'service_edges_open_day_hours',
  'request_metrics_open_day_quarters',
] as const satisfies readonly MetricsTableName[];
export type OpenDayTileTable = (typeof openDayTileTables)[number];

/** The open-day tile that stands in for each day tile (the same columns, the same encoder). */
export const openDayTileOf: Readonly<Record<DayTileTable, OpenDayTileTable>> = {
  request_metrics_day: 'request_metrics_open_day',
  request_metrics_day_hours: 'request_metrics_open_day_hours',
  service_metrics_day_hours: 'service_metrics_open_day_hours',
  service_edges_day_hours: 'service_edges_open_day_hours',
  request_metrics_day_quarters: 'request_metrics_open_day_quarters',
  service_metrics_day_quarters: 'service_metrics_open_day_quarters',
};

/**
 * The open hour's closed minutes merged (docs/adr/0123): per endpoint and per service, one row of the first M
 * minutes of an hour still open, M = the minutes of it already closed (end + lateness past), so a 7-day call reads
 * one row per group for them instead of one per minute (the open hour was 64% of a 7-day endpoint table's rows,
 * docs/adr/0115). One file per (tenant, date, hour, M): the key names the coverage, so a file is never replaced by
 * one covering other minutes, only (on late data) by the same minutes recomputed.
 */
export const openHourTileTables = [
  'request_metrics_open_hour',
  'service_metrics_open_hour',
] as const satisfies readonly MetricsTableName[];
export type OpenHourTileTable = (typeof openHourTileTables)[number];

/** The open-hour tile that stands in for each minute table's rows of the tile's minutes. */
export const openHourTileOf: Readonly<
  Record<'request_metrics_minute' | 'service_metrics_minute', OpenHourTileTable>
> = {
  request_metrics_minute: 'request_metrics_open_hour',
  service_metrics_minute: 'service_metrics_open_hour',
};

export interface MetricsTableLayout {
  readonly name: MetricsTableName;
  /** Start of the span a row covers (ms), or the event's time. */
  readonly timeColumn: string;
  /** What one row is per time value: an endpoint, a service, an event. */
  readonly keyColumns: readonly string[];
  /** Every column of the file, in file order: time, keys, then the rest. */
  readonly columns: readonly MetricsColumn[];
  readonly partitionDepth: PartitionDepth;
}

const column = (name: string, type: ColumnType, nullable = false): MetricsColumn => ({
  name,
  type,
  nullable,
});

/** A column older files lack: nullable, read as NULL there (see MetricsColumn.addedLater). */
const laterColumn = (name: string, type: ColumnType): MetricsColumn => ({
  ...column(name, type, true),
  addedLater: true,
});

/** The measures every request and service metrics table holds after its key columns. */
export const metricsMeasureColumns: readonly MetricsColumn[] = [
  column('requests', 'int64'),
  column('errors_5xx', 'int64'),
  column('errors_4xx', 'int64'),
  column('latency_sum_ms', 'float64'),
  column('latency_min_ms', 'float64'),
  column('latency_max_ms', 'float64'),
  column('latency_p50_ms', 'float64'),
  column('latency_p95_ms', 'float64'),
  column('latency_p99_ms', 'float64'),
  column('latency_zero_count', 'int64'),
  column('latency_bucket_index', 'list<int32>'),
  column('latency_bucket_count', 'list<int64>'),
  // The status classes besides 4xx/5xx (requests = 1xx + 2xx + 3xx + 4xx + 5xx). Files written before they were
  // stored lack them; a row merged from such a row keeps them NULL: its split is unknown, never zero.
  laterColumn('status_1xx', 'int64'),
  laterColumn('status_2xx', 'int64'),
  laterColumn('status_3xx', 'int64'),
  // Requests counted from sampled facts' adjusted counts (a span sampled at 25% counts 4): the row is an estimate
  // when this is above 0. Files written before it read NULL there, i.e. not estimated (they held no weights).
  laterColumn('estimated_requests', 'int64'),
];

/**
 * Exemplars (request-exemplars.ts), in minute rows only: per kind the trace id, span id, latency, status and time
 * of one real request. NULL when the row's facts carried no trace id, and in files written before exemplars.
 */
export const exemplarKinds = ['slowest', 'failed'] as const;
export type ExemplarKind = (typeof exemplarKinds)[number];
export const exemplarFields = [
  ['trace_id', 'utf8'],
  ['span_id', 'utf8'],
  ['latency_ms', 'float64'],
  ['status_code', 'int64'],
  ['ts_ms', 'int64'],
] as const satisfies readonly (readonly [string, ColumnType])[];
export type ExemplarField = (typeof exemplarFields)[number][0];
export const exemplarColumnName = (kind: ExemplarKind, field: ExemplarField) => `exemplar_${kind}_${field}`;
const exemplarColumns: readonly MetricsColumn[] = exemplarKinds.flatMap((kind) =>
  exemplarFields.map(([field, type]) => laterColumn(exemplarColumnName(kind, field), type)),
);

const endpointKey = ['service', 'method', 'path'] as const;
const serviceKey = ['service'] as const;
/** A service-map edge: the calling service and what it called (a service, or the host it named). */
const edgeKey = ['caller', 'callee'] as const;

function metricsTable(
  name: MetricsTableName,
  timeColumn: string,
  keyColumns: readonly string[],
  partitionDepth: PartitionDepth,
  extraColumns: readonly MetricsColumn[] = [],
): MetricsTableLayout {
  const columns = [
    column(timeColumn, 'int64'),
    ...keyColumns.map((c) => column(c, 'utf8')),
    ...metricsMeasureColumns,
    ...extraColumns,
  ];
  return { name, timeColumn, keyColumns, columns, partitionDepth };
}

/**
 * A table created after the later columns were: every file of it has them, so none is `addedLater` there (no
 * older file to read them as NULL from, nothing for Trino to ADD).
 */
function bornWithEveryColumn(layout: MetricsTableLayout): MetricsTableLayout {
  return { ...layout, columns: layout.columns.map(({ addedLater: _, ...c }) => c) };
}

export const metricsTableLayouts: Readonly<Record<MetricsTableName, MetricsTableLayout>> = {
  request_metrics_minute: metricsTable(
    'request_metrics_minute',
    'minute_ms',
    endpointKey,
    'hour',
    exemplarColumns,
  ),
  /** The exact merge of an hour's 60 minute rows per endpoint. */
  request_metrics_hour: metricsTable('request_metrics_hour', 'hour_ms', endpointKey, 'hour'),
  /** One row per (UTC day, endpoint), built from a closed day's hour files. */
  request_metrics_day: metricsTable('request_metrics_day', 'day_ms', endpointKey, 'day'),
  /** A closed day's request_metrics_hour rows in one file, sorted by endpoint, then hour. */
  request_metrics_day_hours: metricsTable('request_metrics_day_hours', 'hour_ms', endpointKey, 'day'),
  /** Every endpoint of a service merged. */
  service_metrics_minute: metricsTable('service_metrics_minute', 'minute_ms', serviceKey, 'hour'),
  service_metrics_hour: metricsTable('service_metrics_hour', 'hour_ms', serviceKey, 'hour'),
  /** A closed day's service_metrics_hour rows in one file, sorted by service, then hour. */
  service_metrics_day_hours: metricsTable('service_metrics_day_hours', 'hour_ms', serviceKey, 'day'),
  /**
   * A closed day's request_metrics_minute rows merged per (quarter-hour, endpoint), sorted by endpoint, then time:
   * a 24-hour drill-down at 15-minute steps reads 96 rows of one endpoint from one file (docs/adr/0141). No
   * exemplars (the minute rows keep them).
   */
  request_metrics_day_quarters: bornWithEveryColumn(
    metricsTable('request_metrics_day_quarters', 'quarter_ms', endpointKey, 'day'),
  ),
  /** A closed day's service_metrics_minute rows merged per (quarter-hour, service). */
  service_metrics_day_quarters: bornWithEveryColumn(
    metricsTable('service_metrics_day_quarters', 'quarter_ms', serviceKey, 'day'),
  ),
  /** request_metrics_day's rows for the first N hours of a day still open (openDayTileTables). */
  request_metrics_open_day: metricsTable('request_metrics_open_day', 'day_ms', endpointKey, 'hours'),
  /** request_metrics_hour's rows of the first N hours of a day still open, sorted as the day-hours tile. */
  request_metrics_open_day_hours: metricsTable(
    'request_metrics_open_day_hours',
    'hour_ms',
    endpointKey,
    'hours',
  ),
  /** service_metrics_hour's rows of the first N hours of a day still open. */
  service_metrics_open_day_hours: metricsTable(
    'service_metrics_open_day_hours',
    'hour_ms',
    serviceKey,
    'hours',
  ),
  /**
   * service_metrics_minute's rows of the first N hours of a day still open, merged per quarter-hour: a 24-hour
   * chart at a 15-minute step merges 4 rows per service and hour instead of 60 (docs/adr/0091).
   */
  service_metrics_open_day_quarters: metricsTable(
    'service_metrics_open_day_quarters',
    'quarter_ms',
    serviceKey,
    'hours',
  ),
  /** request_metrics_day_quarters' rows of the first N hours of a day still open (docs/adr/0141). */
  request_metrics_open_day_quarters: bornWithEveryColumn(
    metricsTable('request_metrics_open_day_quarters', 'quarter_ms', endpointKey, 'hours'),
  ),
  /**
   * Service-map edges from OTLP CLIENT spans, per minute (docs/adr/0085): the request tables' measures per
   * (caller, callee). No exemplars. Closed days and the open day's closed hours also have tiles of the hour rows
   * (service_edges_day_hours, service_edges_open_day_hours, docs/adr/0104).
   */
  service_edges_minute: bornWithEveryColumn(
    metricsTable('service_edges_minute', 'minute_ms', edgeKey, 'hour'),
  ),
  /** The exact merge of an hour's edge minute rows per (caller, callee). */
  service_edges_hour: bornWithEveryColumn(metricsTable('service_edges_hour', 'hour_ms', edgeKey, 'hour')),
  /** A closed day's service_edges_hour rows in one file, sorted by (caller, callee), then hour. */
  service_edges_day_hours: bornWithEveryColumn(
    metricsTable('service_edges_day_hours', 'hour_ms', edgeKey, 'day'),
  ),
  /** service_edges_hour's rows of the first N hours of a day still open. */
  service_edges_open_day_hours: bornWithEveryColumn(
    metricsTable('service_edges_open_day_hours', 'hour_ms', edgeKey, 'hours'),
  ),
  /**
   * request_metrics_minute's rows of the first M minutes of an hour still open, merged per endpoint: the hour
   * table's columns, hour_ms the hour's start (openHourTileTables). Born after every later column.
   */
  request_metrics_open_hour: bornWithEveryColumn(
    metricsTable('request_metrics_open_hour', 'hour_ms', endpointKey, 'minutes'),
  ),
  /** service_metrics_minute's rows of the first M minutes of an hour still open, merged per service. */
  service_metrics_open_hour: bornWithEveryColumn(
    metricsTable('service_metrics_open_hour', 'hour_ms', serviceKey, 'minutes'),
  ),
  service_events: {
    name: 'service_events',
    timeColumn: 'ts_ms',
    keyColumns: ['event_id'],
    columns: [
      column('ts_ms', 'int64'),
      column('event_id', 'utf8'),
      column('type', 'utf8'),
      column('service', 'utf8'),
      column('version', 'utf8', true),
      column('description', 'utf8', true),
    ],
    partitionDepth: 'hour',
  },
};

/** Columns that files written before them lack, per table (read as NULL there). */
export function addedLaterColumns(table: MetricsTableName): readonly MetricsColumn[] {
  return metricsTableLayouts[table].columns.filter((c) => c.addedLater);
}

/** The tables an hour's manifest commits (its `outputs`), in commit order; day tiles are built per day. */
export const metricsTables = [
  'request_metrics_minute',
  'request_metrics_hour',
  'service_metrics_minute',
  'service_metrics_hour',
  'service_edges_minute',
  'service_edges_hour',
  'service_events',
] as const satisfies readonly MetricsTableName[];
export type MetricsTable = (typeof metricsTables)[number];

/** The partition columns a table's keys carry (Hive style), outermost first. */
export function partitionColumns(table: MetricsTableName): readonly string[] {
  const depth = metricsTableLayouts[table].partitionDepth;
  if (depth === 'minutes') return ['tenant', 'date', 'hour', 'minutes'];
  return depth === 'day' ? ['tenant', 'date'] : ['tenant', 'date', depth];
}

/** Every column name a query can read from a table: its file columns and its partition columns. */
export function readableColumns(table: MetricsTableName): ReadonlySet<string> {
  return new Set([...metricsTableLayouts[table].columns.map((c) => c.name), ...partitionColumns(table)]);
}

export const metricsPrefix = 'metrics/';
export const manifestsPrefix = `${metricsPrefix}_manifests/`;
/** The rollup's heartbeat: its last finished pass (workers/rollup/app/rollup-heartbeat.ts writes and reads it). */
export const rollupHeartbeatKey = `${metricsPrefix}_rollup/last-pass.json`;
/**
 * A partition's edge carry (docs/adr/0096): the SERVER spans of its first minutes and the unmatched CLIENT spans of
 * its last, read by the neighbouring hour's rollup. Outside every table's directory, so no engine scans it.
 */
export const edgeCarryPrefix = `${metricsPrefix}_edge_carry/`;
/** Every table keeps one file per partition under this name (docs/adr/0003-rollup-commit-protocol.md). */
const dataFileName = 'part-00000.parquet';

/** Where a table's files live, e.g. a Hive/Trino external table's location under the warehouse. */
export function buildTablePrefix(table: MetricsTableName): string {
  return `${metricsPrefix}${table}/`;
}

export function buildTableTenantPrefix(table: MetricsTableName, tenant: string): string {
  return `${buildTablePrefix(table)}tenant=${tenant}/`;
}

/**
 * Every data file of a tenant's table, as a glob (one `*` per partition level below the tenant). It names the data
 * file itself, not `*.parquet`: the local store's lock file beside a file being replaced
 * (`.lock-part-00000.parquet`) matched that, and every DuckDB query of the partition failed while the rollup
 * recomputed it (commit-while-querying.contract.ts).
 */
export function buildTableFilesGlob(table: MetricsTableName, tenant: string): string {
  const levels = partitionColumns(table).length - 1;
  return `${buildTableTenantPrefix(table, tenant)}${'*/'.repeat(levels)}${dataFileName}`;
}

/**
 * One file per (table, hour partition) under a fixed name: the directory a Hive/Trino external table scans only
 * ever holds one committed generation.
 */
export function buildDataFileKey(table: MetricsTable, p: RawPartition): string {
  return `${buildTableTenantPrefix(table, p.tenant)}date=${p.date}/hour=${p.hour}/${dataFileName}`;
}

/** Day tiles are partitioned by tenant and date only: one file per closed day and tile table. */
export function buildDayTileKey(
  tenant: string,
  date: string,
  table: DayTileTable = 'request_metrics_day',
): string {
  return `${buildTableTenantPrefix(table, tenant)}date=${date}/${dataFileName}`;
}

/** An open-day tile's hours as its key spells them: two digits, like the hour partitions. */
export const formatTileHours = (hours: number) => String(hours).padStart(2, '0');

/** An open-day tile: the first `hours` hours (1-23) of `date`, one file per (tenant, date, hours, table). */
export function buildOpenDayTileKey(
  tenant: string,
  date: string,
  hours: number,
  table: OpenDayTileTable,
): string {
  return `${buildTableTenantPrefix(table, tenant)}date=${date}/hours=${formatTileHours(hours)}/${dataFileName}`;
}

/** An open-hour tile's minutes as its key spells them: two digits, like the hour partitions. */
export const formatTileMinutes = (minutes: number) => String(minutes).padStart(2, '0');

/** An open-hour tile: the first `minutes` minutes (1-59) of the hour partition `p`, one file per table. */
export function buildOpenHourTileKey(p: RawPartition, minutes: number, table: OpenHourTileTable): string {
  const tenantPrefix = buildTableTenantPrefix(table, p.tenant);
  return `${tenantPrefix}date=${p.date}/hour=${p.hour}/minutes=${formatTileMinutes(minutes)}/${dataFileName}`;
}

export const escapeRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Builds a key pattern from this file's prefixes and names, so none of them is spelled twice. */
export const keyPattern = (prefix: string, rest: string) => new RegExp(`^${escapeRegExp(prefix)}${rest}$`);

export const datePart = String.raw`date=(\d{4}-\d{2}-\d{2})`;
const dayTileKeyPattern = keyPattern(
  metricsPrefix,
  `(${dayTileTables.join('|')})/tenant=([^/]+)/${datePart}/${escapeRegExp(dataFileName)}`,
);

/** A day tile's key back into its table, tenant and date; undefined for any other key. */
export function parseDayTileKey(
  key: string,
): { table: DayTileTable; tenant: string; date: string } | undefined {
  const match = dayTileKeyPattern.exec(key);
  return match ? { table: match[1] as DayTileTable, tenant: match[2]!, date: match[3]! } : undefined;
}

const openDayTileKeyPattern = keyPattern(
  metricsPrefix,
  `(${openDayTileTables.join('|')})/tenant=([^/]+)/${datePart}/hours=(\\d{2})/${escapeRegExp(dataFileName)}`,
);

/** An open-day tile's key back into its table, tenant, date and hours; undefined for any other key. */
export function parseOpenDayTileKey(
  key: string,
): { table: OpenDayTileTable; tenant: string; date: string; hours: number } | undefined {
  const match = openDayTileKeyPattern.exec(key);
  return match
    ? { table: match[1] as OpenDayTileTable, tenant: match[2]!, date: match[3]!, hours: Number(match[4]) }
    : undefined;
}

const openHourTileKeyPattern = keyPattern(
  metricsPrefix,
  `(${openHourTileTables.join('|')})/tenant=([^/]+)/${datePart}/hour=(\\d{2})/minutes=(\\d{2})/${escapeRegExp(dataFileName)}`,
);

/** An open-hour tile's key back into its table, partition and minutes; undefined for any other key. */
export function parseOpenHourTileKey(
  key: string,
): { table: OpenHourTileTable; partition: RawPartition; minutes: number } | undefined {
  const match = openHourTileKeyPattern.exec(key);
  return match
    ? {
        table: match[1] as OpenHourTileTable,
        partition: { tenant: match[2]!, date: match[3]!, hour: match[4]! },
        minutes: Number(match[5]),
      }
    : undefined;
}

export function buildTenantManifestsPrefix(tenant: string): string {
  return `${manifestsPrefix}tenant=${tenant}/`;
}

export function buildManifestKey(p: RawPartition): string {
  return `${buildTenantManifestsPrefix(p.tenant)}date=${p.date}/hour=${p.hour}.json`;
}

export function buildEdgeCarryKey(p: RawPartition): string {
  return `${edgeCarryPrefix}tenant=${p.tenant}/date=${p.date}/hour=${p.hour}.json.gz`;
}

const manifestKeyPattern = keyPattern(
  manifestsPrefix,
  String.raw`tenant=([^/]+)/${datePart}/hour=(\d{2})\.json`,
);

/** Parses a manifest key back into its partition; undefined for any other key. */
export function parseManifestKey(key: string): RawPartition | undefined {
  const match = manifestKeyPattern.exec(key);
  return match ? { tenant: match[1]!, date: match[2]!, hour: match[3]! } : undefined;
}
