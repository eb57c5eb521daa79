import type { GroupBy, MetricsQuery } from '../query-engine.js';

/** What differs between DuckDB and Trino SQL; everything else is shared. */
export interface SqlDialect {
  /** FROM-clause source for a table, already restricted to the tenant (path glob or partition column). */
  source(table: 'request_metrics_minute' | 'service_events', tenant: string): string;
  /** Extra WHERE terms the source needs (e.g. Trino's tenant partition column). */
  tenantFilter(tenant: string): string[];
  intDiv(a: string, b: string): string;
  /** Turns each row into (idx, cnt) pairs of its histogram: extra select-list terms and FROM-clause joins. */
  unnestBuckets(sourceAlias: string): { select: string; join: string };
}

/** SQL string literal; the only way user-supplied text enters SQL here. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a safe integer, got ${value}`);
  return String(value);
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function groupColumns(
  groupBy: GroupBy,
  query: MetricsQuery,
  dialect: SqlDialect,
): { select: string[]; group: string[] } {
  if (groupBy === 'service') return { select: ['m.service AS service'], group: ['m.service'] };
  if (groupBy === 'endpoint') {
    return {
      select: ['m.service AS service', 'm.method AS method', 'm.path AS path'],
      group: ['m.service', 'm.method', 'm.path'],
    };
  }
  const from = sqlInt(query.from);
  const step = sqlInt(query.stepMs ?? 60_000);
  const t = `(${from} + ${dialect.intDiv(`(m.minute_ms - ${from})`, step)} * ${step})`;
  return { select: [`${t} AS t`], group: [t] };
}

/** WHERE terms: tenant, date partitions for pruning, the minute range and the optional filters. */
export function whereTerms(query: MetricsQuery, dialect: SqlDialect): string[] {
  const terms = [
    ...dialect.tenantFilter(query.tenant),
    `m."date" BETWEEN ${sqlString(dateOf(query.from))} AND ${sqlString(dateOf(query.to - 1))}`,
    `m.minute_ms >= ${sqlInt(query.from)}`,
    `m.minute_ms < ${sqlInt(query.to)}`,
  ];
  if (query.service !== undefined) terms.push(`m.service = ${sqlString(query.service)}`);
  if (query.method !== undefined) terms.push(`m.method = ${sqlString(query.method)}`);
  if (query.path !== undefined) terms.push(`m.path = ${sqlString(query.path)}`);
  return terms;
}

export function buildCountsSql(query: MetricsQuery, dialect: SqlDialect): string {
  const { select, group } = groupColumns(query.groupBy, query, dialect);
  return [
    `SELECT ${select.join(', ')}, sum(m.requests) AS requests, sum(m.errors_5xx) AS errors5xx, sum(m.errors_4xx) AS errors4xx`,
    `FROM ${dialect.source('request_metrics_minute', query.tenant)} AS m`,
    `WHERE ${whereTerms(query, dialect).join(' AND ')}`,
    `GROUP BY ${group.join(', ')}`,
  ].join('\n');
}

const groupKeys = { step: ['t'], service: ['service'], endpoint: ['service', 'method', 'path'] } as const;

/** Histogram buckets merged per group: SUM(count) per bucket index, plus the zero bucket as index NULL. */
export function buildBucketsSql(query: MetricsQuery, dialect: SqlDialect): string {
  const { select, group } = groupColumns(query.groupBy, query, dialect);
  const keys = groupKeys[query.groupBy].join(', ');
  const where = whereTerms(query, dialect).join(' AND ');
  const source = `${dialect.source('request_metrics_minute', query.tenant)} AS m`;
  const unnest = dialect.unnestBuckets('m');
  return [
    `SELECT ${keys}, idx AS bucket_index, sum(cnt) AS bucket_count FROM (`,
    `  SELECT ${select.join(', ')}, ${unnest.select} FROM ${source} ${unnest.join} WHERE ${where}`,
    `) AS b GROUP BY ${keys}, idx`,
    'UNION ALL',
    `SELECT ${select.join(', ')}, NULL AS bucket_index, sum(m.latency_zero_count) AS bucket_count`,
    `FROM ${source}`,
    `WHERE ${where} AND m.latency_zero_count > 0`,
    `GROUP BY ${group.join(', ')}`,
  ].join('\n');
}

export function buildEventsSql(
  query: { tenant: string; from: number; to: number; service?: string },
  dialect: SqlDialect,
): string {
  const terms = [
    ...dialect.tenantFilter(query.tenant),
    `m."date" BETWEEN ${sqlString(dateOf(query.from))} AND ${sqlString(dateOf(query.to - 1))}`,
    `m.ts_ms >= ${sqlInt(query.from)}`,
    `m.ts_ms < ${sqlInt(query.to)}`,
  ];
  if (query.service !== undefined) terms.push(`m.service = ${sqlString(query.service)}`);
  return [
    'SELECT m.ts_ms AS t, m.type AS type, m.service AS service, m.version AS version, m.description AS description',
    `FROM ${dialect.source('service_events', query.tenant)} AS m`,
    `WHERE ${terms.join(' AND ')}`,
    'ORDER BY m.ts_ms, m.event_id',
  ].join('\n');
}

export function buildLastMinuteSql(
  tenant: string,
  now: number,
  lookbackMs: number,
  dialect: SqlDialect,
): string {
  return [
    'SELECT max(m.minute_ms) AS last_minute',
    `FROM ${dialect.source('request_metrics_minute', tenant)} AS m`,
    `WHERE ${[...dialect.tenantFilter(tenant), `m."date" >= ${sqlString(dateOf(now - lookbackMs))}`].join(' AND ')}`,
  ].join('\n');
}
