import {
  openDayTileOf,
  openHourTileOf,
  partitionColumns,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import type { EventsQuery, GroupBy, MetricsQuery } from '../app/query-engine.js';
import { openHourTilesRead, type OpenHourTileReader } from '../domain/open-hour-coverage.js';
import {
  dropBeforeFirstHour,
  isEmptyPlan,
  planMetricsScan,
  type MetricsScanPlan,
  type TimeRange,
} from '../domain/plan-metrics-scan.js';
import type { TenantSnapshot } from '../domain/tenant-snapshot.js';
import { dateListTerm, partitionTerms } from './partition-terms.js';
import { SqlParams, type SqlStatement, type SqlStatementHints } from './sql-statement.js';
import { withTop } from './top-sql.js';

export type { MetricsTableName, SqlStatement };

/**
 * What differs between DuckDB and Trino SQL; everything else is shared. A client-chosen value (tenant, service,
 * method, path, times, limits) goes through `p.bind` and reaches the engine as a bound parameter, never as text.
 */
export interface SqlDialect {
  /** FROM-clause source for a table, already restricted to the tenant (path glob or partition column). */
  source(table: MetricsTableName, tenant: string, p: SqlParams): string;
  /** Extra WHERE terms the source needs (e.g. Trino's tenant partition column). */
  tenantFilter(tenant: string, p: SqlParams): string[];
  intDiv(a: string, b: string): string;
  /** Turns each row into (idx, cnt) pairs of its histogram: extra select-list terms and FROM-clause joins. */
  unnestBuckets(sourceAlias: string): { select: string; join: string };
  /**
   * How to merge the rows' histograms bucket by bucket in the same pass as the counts, and how to turn the merge
   * into the two sorted lists. Engines that have one (Trino: one multimap of the group's (index, count) pairs)
   * read the rows once per statement; the others unnest (histograms-sql.ts), which reads them twice. Trino plans
   * every reference to a CTE as a scan of its own, partitions, listings and all, so one pass is what makes its
   * statements cheap. The merge is two steps: `collect` gathers a group's histograms in the GROUP BY (cheap, no
   * merging), `fold` merges them in a projection after it, so a page of a count order folds only the groups it
   * keeps (docs/adr/0139).
   */
  mergeBuckets?: {
    /** Aggregate terms, each `... AS <name>`, that gather a group's histograms from the rows of `sourceAlias`. */
    collect(sourceAlias: string): string;
    /** The merged histogram (one value) from the collected columns of a row of `groupAlias`. */
    fold(groupAlias: string): string;
    lists(merged: string): { index: string; count: string };
  };
}

/**
 * The select-list terms naming a row's group, and its GROUP BY. A step is grouped by its position (the first
 * select term): written twice, an expression of bound parameters would be two expressions to Trino, whose
 * `?` placeholders are numbered apart.
 */
export function groupColumns(
  groupBy: GroupBy,
  query: MetricsQuery,
  dialect: SqlDialect,
  p: SqlParams,
): { select: string[]; group: string[] } {
  if (groupBy === 'service') return { select: ['m.service AS service'], group: ['m.service'] };
  if (groupBy === 'endpoint') {
    return {
      select: ['m.service AS service', 'm.method AS method', 'm.path AS path'],
      group: ['m.service', 'm.method', 'm.path'],
    };
  }
  const from = p.bind(query.from);
  const step = p.bind(query.stepMs ?? 60_000);
  const t = `(${from} + ${dialect.intDiv(`(m.minute_ms - ${from})`, step)} * ${step})`;
  return { select: [`${t} AS t`], group: ['1'] };
}

const partitionDepthOf = (table: MetricsTableName): boolean | 'hours' | 'minutes' => {
  const columns = partitionColumns(table);
  if (columns.includes('minutes')) return 'minutes';
  return columns.includes('hours') ? 'hours' : columns.includes('hour');
};

/** WHERE terms of one table's share of a query: tenant, partitions, its time range and the optional filters. */
function whereTerms(
  query: MetricsQuery,
  range: TimeRange,
  table: MetricsTableName,
  timeColumn: string,
  dialect: SqlDialect,
  p: SqlParams,
): string[] {
  const terms = [
    ...dialect.tenantFilter(query.tenant, p),
    ...partitionTerms(range, partitionDepthOf(table), p),
    `m.${timeColumn} >= ${p.bind(range.from)}`,
    `m.${timeColumn} < ${p.bind(range.to)}`,
  ];
  const key = keyColumnsOf(query);
  if (query.service !== undefined) terms.push(`m.${key.service} = ${p.bind(query.service)}`);
  if (query.method !== undefined) terms.push(`${key.method} = ${p.bind(query.method)}`);
  if (query.path !== undefined) terms.push(`m.${key.path} = ${p.bind(query.path)}`);
  if (query.services !== undefined) {
    const each = query.services.map((service) => `m.${key.service} = ${p.bind(service)}`);
    terms.push(each.length > 0 ? `(${each.join(' OR ')})` : 'false');
  }
  if (query.endpoints !== undefined) {
    const each = query.endpoints.map(
      (e) =>
        `(m.${key.service} = ${p.bind(e.service)} AND ${key.method} = ${p.bind(e.method)} AND m.${key.path} = ${p.bind(e.path)})`,
    );
    terms.push(each.length > 0 ? `(${each.join(' OR ')})` : 'false');
  }
  return terms;
}

/**
 * The stored columns behind a query's service, method and path: the request tables' own, or an edge table's
 * caller and callee with an empty method (query-engine.ts MetricsSource).
 */
function keyColumnsOf(query: MetricsQuery): { service: string; method: string; path: string } {
  return query.source === 'edges'
    ? { service: 'caller', method: "''", path: 'callee' }
    : { service: 'service', method: 'm.method', path: 'path' };
}

/**
 * An edge query's rows: the edge tables with caller/callee as service/path; closed days from the edges' day-hours
 * tile and the open day's closed hours from its open-day tile, under the dates every level's tiles exist
 * (snapshot.hourTiles, docs/adr/0104). Edges have no tile of day rows: an edge list reads 24 hour rows per day.
 */
function chooseEdgeTables(snapshot: TenantSnapshot, measures: readonly string[]) {
  const tables = { minute: 'service_edges_minute', hour: 'service_edges_hour' } as const;
  const keys = ['m.caller AS service', "'' AS method", 'm.callee AS path'];
  const columns = [...keys, ...measures.map((c) => `m.${c} AS ${c}`)];
  const tile = { table: 'service_edges_day_hours' as const, time: 'hour_ms', dates: snapshot.hourTiles };
  const hours = snapshot.tables.has(tables.hour);
  const days = hours ? tile.dates : new Set<string>();
  const openDays = hours ? snapshot.openDays : new Map<string, number>();
  // Edges have no open-hour tile: their open hour is read from minute rows.
  const openHours = { table: undefined, hours: new Map<number, number>() };
  return { tables, columns, hours, days, openDays, openHours, tile };
}

const statusClassColumns = ['status_1xx', 'status_2xx', 'status_3xx'];
const countColumns = ['requests', 'errors_5xx', 'errors_4xx', ...statusClassColumns, 'estimated_requests'];

/**
 * A group's counts, named as every statement returns them (metrics-rows.ts reads these names). Rows from files
 * written before the status classes were stored (status_2xx NULL) count their non-4xx/5xx requests as
 * status_unknown: summed as zeros they would claim those requests had no 2xx.
 */
export function countSums(alias = ''): string {
  const c = (name: string) => `${alias}${name}`;
  return [
    `sum(${c('requests')}) AS requests`,
    `sum(${c('errors_5xx')}) AS errors5xx`,
    `sum(${c('errors_4xx')}) AS errors4xx`,
    ...statusClassColumns.map((name) => `sum(coalesce(${c(name)}, 0)) AS ${name.replace('_', '')}`),
    `sum(CASE WHEN ${c('status_2xx')} IS NULL THEN ${c('requests')} - ${c('errors_4xx')} - ${c('errors_5xx')} ELSE 0 END) AS status_unknown`,
    // NULL in files written before sampled counts were marked: those rows are not estimates.
    `sum(coalesce(${c('estimated_requests')}, 0)) AS estimated_requests`,
  ].join(', ');
}

/** The count names countSums returns, to carry through a join. */
export const countNames = [
  'requests',
  'errors5xx',
  'errors4xx',
  'status1xx',
  'status2xx',
  'status3xx',
  'status_unknown',
  'estimated_requests',
];
const measureColumns = [
  ...countColumns,
  'latency_max_ms',
  'latency_zero_count',
  'latency_bucket_index',
  'latency_bucket_count',
];

/**
 * Which rows answer a query: per-service rows (every endpoint merged, 50x fewer to merge) unless the query
 * needs endpoints; tiles, hour rows and minute rows as the plan splits the range. The tile of a closed day is
 * its day rows per endpoint for endpoint tables (request_metrics_day, snapshotFor passes its dates only to
 * those), and the day's hour rows in one file otherwise (the level's day-hours tile): a series needs hour rows,
 * and a service list reads 20 x 24 rows from one file instead of 24 files.
 */
function chooseTables(query: MetricsQuery, snapshot: TenantSnapshot, measures: readonly string[]) {
  if (query.source === 'edges') return chooseEdgeTables(snapshot, measures);
  const needsEndpoints =
    query.groupBy === 'endpoint' ||
    query.method !== undefined ||
    query.path !== undefined ||
    query.endpoints !== undefined;
  const level = !needsEndpoints && snapshot.tables.has('service_metrics_minute') ? 'service' : 'request';
  const tables = { minute: `${level}_metrics_minute`, hour: `${level}_metrics_hour` } as const;
  const keys = level === 'service' ? ['service'] : ['service', 'method', 'path'];
  const columns = [...keys, ...measures].map((c) => `m.${c} AS ${c}`);
  const hours = snapshot.tables.has(tables.hour);
  const dayRows = level === 'request' && query.groupBy !== 'step';
  const tile = dayRows
    ? { table: 'request_metrics_day' as const, time: 'day_ms', dates: snapshot.dayTiles }
    : { table: `${level}_metrics_day_hours` as const, time: 'hour_ms', dates: snapshot.hourTiles };
  // A tile date comes from a listing of the tile's own files, so the tile exists whatever `tables` says.
  const days = hours ? tile.dates : new Set<string>();
  const openDays = hours ? snapshot.openDays : new Map<string, number>();
  // The open hour's closed minutes from its tile of the level's minute rows (docs/adr/0123), only over every
  // endpoint of every service: elsewhere the tile costs Trino more than it saves (docs/adr/0138).
  const filters = [query.service, query.services, query.method, query.path, query.endpoints];
  const reader: OpenHourTileReader = { level, filtered: filters.some((f) => f !== undefined) };
  const openHours = {
    table: openHourTileOf[tables.minute],
    hours: openHourTilesRead(reader, snapshot.openHours),
  };
  return { tables, columns, hours, days, openDays, openHours, tile };
}

/**
 * The quarter-hour tiles of a level's minute rows (docs/adr/0091, 0141): of closed days and of the open day's
 * closed hours. Edges have none.
 */
function quarterTilesOf(minuteTable: MetricsTableName) {
  if (minuteTable === 'request_metrics_minute')
    return { day: 'request_metrics_day_quarters', openDay: 'request_metrics_open_day_quarters' } as const;
  if (minuteTable === 'service_metrics_minute')
    return { day: 'service_metrics_day_quarters', openDay: 'service_metrics_open_day_quarters' } as const;
  return undefined;
}

/** Which table covers which part of a query's range, for the tables and tiles the tenant's snapshot has. */
export function metricsScanPlan(query: MetricsQuery, snapshot: TenantSnapshot): MetricsScanPlan {
  const { tables, hours, days, openDays, openHours } = chooseTables(query, snapshot, []);
  // Endpoints and services have quarter-hour tiles (a 24-hour chart at 15-minute steps), edges none.
  const options = {
    ...(quarterTilesOf(tables.minute) && { quarterDays: snapshot.quarterTiles }),
    openHours: openHours.hours,
  };
  const plan: MetricsScanPlan = hours
    ? planMetricsScan(query, days, openDays, options)
    : { days: [], openDays: [], hours: [], minutes: [{ from: query.from, to: query.to }] };
  return dropBeforeFirstHour(plan, snapshot.firstHour);
}

/**
 * Whether a query reads nothing: its whole range lies before the tenant's first committed hour (a compare
 * overlay before the data starts). The engine answers no rows without a statement.
 */
export function scansNothing(query: MetricsQuery, snapshot: TenantSnapshot): boolean {
  return isEmptyPlan(metricsScanPlan(query, snapshot));
}

/**
 * The rows a metrics query aggregates, as a derived table with a `minute_ms` time column: day tiles for whole
 * days that have one, hour rows for whole hours and minute rows for the ragged ends (plan-metrics-scan.ts). Day
 * and hour rows carry their start, which lands in the right step because the plan only uses them where a day or
 * hour never straddles two steps. Which tables and day tiles exist comes from the tenant's snapshot.
 */
export function metricsRowsSql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
  p: SqlParams,
  measures: readonly string[] = measureColumns,
): string {
  const { tables, columns, tile, openHours } = chooseTables(query, snapshot, measures);
  const quarters = quarterTilesOf(tables.minute);
  const plan = metricsScanPlan(query, snapshot);
  if (isEmptyPlan(plan))
    throw new RangeError('no rows to read: ask scansNothing before building a statement');
  const branch = (table: MetricsTableName, timeColumn: string) => (range: TimeRange) =>
    [
      `SELECT m.${timeColumn} AS minute_ms, ${columns.join(', ')}`,
      `FROM ${dialect.source(table, query.tenant, p)} AS m`,
      `WHERE ${whereTerms(query, range, table, timeColumn, dialect, p).join(' AND ')}`,
    ].join(' ');
  const branches = [
    ...plan.minutes.map(branch(tables.minute, 'minute_ms')),
    ...plan.hours.map(branch(tables.hour, 'hour_ms')),
    ...plan.days.map(branch(tile.table, tile.time)),
    // The open day's closed hours from the open-day tile of the same rows as the day tile, or from its
    // quarter-hour rows for a series at quarter-hour steps (docs/adr/0091); closed days' quarters likewise
    // (docs/adr/0141).
    ...plan.openDays.map(
      plan.openDayQuarters && quarters
        ? branch(quarters.openDay, 'quarter_ms')
        : branch(openDayTileOf[tile.table], tile.time),
    ),
    ...(quarters ? (plan.dayQuarters ?? []).map(branch(quarters.day, 'quarter_ms')) : []),
    // The open hour's closed minutes from its open-hour tile, one row per group at the hour's start.
    ...(openHours.table ? (plan.openHours ?? []).map(branch(openHours.table, 'hour_ms')) : []),
  ];
  return `(${branches.join('\nUNION ALL\n')})`;
}

/** The columns that name a group of each kind, as every grouped statement returns them (metrics-rows.ts). */
export const groupKeys = {
  step: ['t'],
  service: ['service'],
  endpoint: ['service', 'method', 'path'],
} as const;

/**
 * A tile or minute file holds one row per endpoint per minute, hour or day, so a file aggregated by endpoint on
 * its own shrinks by little (one row per group in a tile): the grouping by endpoint is done once, over every
 * file's rows (docs/adr/0147). By service or by step a file's rows fold many to one, and per file pays.
 */
export function aggregationHints(query: MetricsQuery): SqlStatementHints {
  return query.groupBy === 'endpoint' ? { aggregateEachFile: false } : {};
}

export function buildCountsSql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
): SqlStatement {
  if (query.top?.by === 'p95') throw new RangeError('counts cannot be ranked by p95 (it needs histograms)');
  const p = new SqlParams();
  const { select, group } = groupColumns(query.groupBy, query, dialect, p);
  const sql = [
    `SELECT ${select.join(', ')}, ${countSums('m.')}`,
    // Counts only: the histogram lists are not even projected.
    `FROM ${metricsRowsSql(query, dialect, snapshot, p, countColumns)} AS m`,
    `GROUP BY ${group.join(', ')}`,
  ].join('\n');
  return p.statement(withTop(sql, query, p), aggregationHints(query));
}

const quantiles = [
  ['p50', '0.5'],
  ['p95', '0.95'],
  ['p99', '0.99'],
  ['p999', '0.999'],
] as const;

/**
 * Counts, the exact max latency and p50/p95/p99/p99.9 per group in one statement: the group's histograms are merged bucket by bucket, running
 * sums find the bucket holding rank floor(q * (total - 1)) as LatencySketch.quantile does, and the caller turns
 * that bucket index into its value. A rank inside the zero bucket leaves the index NULL (the value is 0).
 * The merge of millions of (group, bucket) pairs groups by an integer group number k (numberGroups).
 */
/**
 * CTEs c (counts per group, with an integer group number k) and gk (each row's histogram with its k). A step or
 * a service is its own key; endpoints are numbered, since hashing three strings per bucket pair is the cost.
 */
function numberGroups(groupBy: GroupBy): string[] {
  const counts = `${countSums()},
  CAST(sum(latency_zero_count) AS BIGINT) AS latency_zero, max(latency_max_ms) AS latency_max`;
  const lists = 'latency_bucket_index, latency_bucket_count';
  if (groupBy !== 'endpoint') {
    const key = groupKeys[groupBy][0];
    return [
      `c AS (SELECT ${key}, ${key} AS k, ${counts} FROM g GROUP BY ${key}),`,
      `gk AS (SELECT ${key} AS k, ${lists} FROM g),`,
    ];
  }
  const keys = groupKeys.endpoint.join(', ');
  return [
    // Ordered, so the numbering is the same each time an engine that inlines CTEs (Trino) evaluates c.
    `c AS (SELECT ${keys}, row_number() OVER (ORDER BY ${keys}) AS k, ${counts} FROM g GROUP BY ${keys}),`,
    // Join keys stay unqualified: Trino does not resolve a USING column through a table alias.
    `gk AS (SELECT k, ${lists} FROM g JOIN c USING (${keys})),`,
  ];
}

/** A row's count columns as the CTE g carries them (countSums reads these names). */
export const rowCountColumns = countColumns.map((c) => `m.${c}`).join(', ');

export function buildSummarySql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
): SqlStatement {
  const p = new SqlParams();
  const { select } = groupColumns(query.groupBy, query, dialect, p);
  const unnest = dialect.unnestBuckets('gk');
  const ranks = quantiles.map(([name, q]) => {
    // In doubles, as merge-summaries.ts ranks (Math.floor(q * (n - 1))); a decimal literal made DuckDB compute every
    // bucket's comparison in DECIMAL(38), the costliest operator of a 7-day chart.
    const rank = `floor(CAST(${q} AS DOUBLE) * (r.latency_zero + r.hist - 1))`;
    // A rank inside the zero count must leave the index NULL: every bucket's running sum passes it.
    return `min(r.idx) FILTER (WHERE r.latency_zero <= ${rank} AND r.latency_zero + r.run > ${rank}) AS ${name}_index`;
  });
  const sql = [
    `WITH g AS (SELECT ${select.join(', ')}, ${rowCountColumns}, m.latency_max_ms, m.latency_zero_count,`,
    `  m.latency_bucket_index, m.latency_bucket_count FROM ${metricsRowsSql(query, dialect, snapshot, p)} AS m),`,
    ...numberGroups(query.groupBy),
    `b AS (SELECT k, idx, CAST(sum(cnt) AS BIGINT) AS cnt FROM (SELECT gk.k, ${unnest.select} FROM gk ${unnest.join}) AS x GROUP BY k, idx),`,
    `r AS (SELECT b.k, b.idx, c.latency_zero, CAST(sum(b.cnt) OVER (PARTITION BY b.k ORDER BY b.idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS run,`,
    `  CAST(sum(b.cnt) OVER (PARTITION BY b.k) AS BIGINT) AS hist FROM b JOIN c ON b.k = c.k),`,
    `q AS (SELECT r.k, max(r.hist) AS latency_hist, ${ranks.join(', ')} FROM r GROUP BY r.k)`,
    `SELECT ${groupKeys[query.groupBy].map((k) => `c.${k}`).join(', ')}, ${countNames.map((n) => `c.${n}`).join(', ')}, c.latency_zero, c.latency_max, q.latency_hist,`,
    `  ${quantiles.map(([n]) => `q.${n}_index`).join(', ')}`,
    `FROM c LEFT JOIN q ON c.k = q.k`,
  ].join('\n');
  return p.statement(withTop(sql, query, p), aggregationHints(query));
}

export function buildEventsSql(query: EventsQuery, dialect: SqlDialect): SqlStatement {
  const p = new SqlParams();
  const terms = [
    ...dialect.tenantFilter(query.tenant, p),
    dateListTerm(query.from, query.to - 1, p),
    `m.ts_ms >= ${p.bind(query.from)}`,
    `m.ts_ms < ${p.bind(query.to)}`,
  ];
  if (query.service !== undefined) terms.push(`m.service = ${p.bind(query.service)}`);
  const text = [
    'SELECT m.ts_ms AS t, m.type AS type, m.service AS service, m.version AS version, m.description AS description',
    `FROM ${dialect.source('service_events', query.tenant, p)} AS m`,
    `WHERE ${terms.join(' AND ')}`,
    'ORDER BY m.ts_ms, m.event_id',
    `LIMIT ${p.bind(query.limit)}`,
  ].join('\n');
  return p.statement(text);
}

export function buildLastMinuteSql(
  tenant: string,
  now: number,
  lookbackMs: number,
  dialect: SqlDialect,
): SqlStatement {
  const p = new SqlParams();
  // The dates from the lookback's start to as far after `now` (facts up to GRAVIX_MAX_FUTURE_MS ahead are
  // accepted): Trino's injected date projection needs the dates named (dateListTerm).
  const terms = [...dialect.tenantFilter(tenant, p), dateListTerm(now - lookbackMs, now + lookbackMs, p)];
  const text = [
    'SELECT max(m.minute_ms) AS last_minute',
    `FROM ${dialect.source('request_metrics_minute', tenant, p)} AS m`,
    `WHERE ${terms.join(' AND ')}`,
  ].join('\n');
  return p.statement(text);
}
