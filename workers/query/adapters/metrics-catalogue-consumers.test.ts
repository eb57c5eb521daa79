import fc from 'fast-check';
import {
  metricsTableLayouts,
  metricsTableNames,
  partitionColumns,
  readableColumns,
  type MetricsTableName,
} from '../../domain/metrics-layout.js';
import { buildArrowSchema } from '../../rollup/adapters/metrics-schema.js';
import { metricsColumnEncoders } from '../../rollup/adapters/metrics-parquet.js';
import type { GroupBy, MetricsQuery, TopBy } from '../app/query-engine.js';
import { buildTenantSnapshot } from '../domain/tenant-snapshot.js';
import {
  buildCountsSql,
  buildEventsSql,
  buildLastMinuteSql,
  buildSummarySql,
  type SqlDialect,
} from './metrics-sql.js';
import { buildHistogramsSql } from './histograms-sql.js';
import { buildTrinoTableDdl } from './trino-query-engine.js';

/**
 * Every consumer of the metrics layer names only columns the catalogue (workers/domain/metrics-layout.ts) has:
 * the Arrow schema, the Parquet encoders, the Trino DDL and every statement the SQL builder writes. A column
 * renamed or dropped in one place and not the other fails here instead of in an engine at query time.
 */

/** Marks each table's source so the columns read from it can be told apart. */
const marker = (table: MetricsTableName) => `<<${table}>>`;
const dialect: SqlDialect = {
  source: (table) => marker(table),
  tenantFilter: (tenant) => [`m.tenant = '${tenant}'`],
  intDiv: (a, b) => `(${a} / ${b})`,
  unnestBuckets: (alias) => ({
    select: 'u.idx AS idx, u.cnt AS cnt',
    join: `CROSS JOIN UNNEST(${alias}.latency_bucket_index, ${alias}.latency_bucket_count) AS u(idx, cnt)`,
  }),
};

const allReadable = new Set(metricsTableNames.flatMap((t) => [...readableColumns(t)]));

/** Columns the statement reads through the table alias `m` (m.col or m."col"). */
const columnsReadThroughM = (sql: string) =>
  [...sql.matchAll(/\bm\.(?:"(\w+)"|(\w+))/g)].map((match) => match[1] ?? match[2]!);

/**
 * Checks each `m.` column against the table the line reads (the builder writes one table's branch per line), or
 * against every table when the line reads none (outer queries over the union of branches). A line without a
 * table may also read a column the statement's derived table names itself (`m.hour_ms AS minute_ms`: an
 * hours-only plan reads its one table through that alias).
 */
function unknownColumns(sql: string): string[] {
  const tables = new Set([...sql.matchAll(/<<(\w+)>>/g)].map((m) => m[1] as MetricsTableName));
  const derived = new Set(
    [...sql.matchAll(/\bm\.(?:"\w+"|\w+) AS (\w+)/g)]
      .map((match) => match[1]!)
      .filter((alias) => allReadable.has(alias)),
  );
  const unknown: string[] = [];
  for (const line of sql.split('\n')) {
    const lineTables = [...line.matchAll(/<<(\w+)>>/g)].map((m) => m[1] as MetricsTableName);
    const scope = lineTables.length > 0 ? lineTables : tables.size === 1 ? [...tables] : [];
    const known = (c: string) =>
      scope.length > 0
        ? scope.every((t) => readableColumns(t).has(c)) || (lineTables.length === 0 && derived.has(c))
        : allReadable.has(c);
    for (const column of columnsReadThroughM(line)) if (!known(column)) unknown.push(column);
  }
  return unknown;
}

const day = 86_400_000;
const start = Date.parse('2026-11-02T00:00:00Z');

const metricsQuery: fc.Arbitrary<MetricsQuery> = fc
  .record({
    from: fc.integer({ min: 0, max: 10 * 24 * 60 }).map((m) => start + m * 60_000),
    span: fc.integer({ min: 1, max: 5 * 24 * 60 }).map((m) => m * 60_000),
    groupBy: fc.constantFrom<GroupBy>('step', 'endpoint', 'service'),
    stepMs: fc.constantFrom(60_000, 3_600_000, day),
    service: fc.option(fc.constant('checkout'), { nil: undefined }),
    method: fc.option(fc.constant('GET'), { nil: undefined }),
    path: fc.option(fc.constant('/cart/:id'), { nil: undefined }),
    top: fc.option(
      fc.record({
        by: fc.constantFrom<TopBy>('requests', 'errors5xx', 'error_rate'),
        limit: fc.integer({ min: 1, max: 100 }),
      }),
      { nil: undefined },
    ),
  })
  .map(({ span, ...q }) => ({ tenant: 'acme', to: q.from + span, ...q }));

/** Every day in the range has a tile, so plans read day tiles too. */
const allDays = (q: MetricsQuery) => {
  const days = new Set<string>();
  for (let t = q.from; t < q.to + day; t += day) days.add(new Date(t).toISOString().slice(0, 10));
  return days;
};

describe('consumers of the metrics table catalogue', () => {
  it('writes Parquet files whose columns are exactly the catalogue columns, in order', () => {
    for (const table of metricsTableNames) {
      const fields = buildArrowSchema(table).fields.map((f) => [f.name, f.nullable]);
      expect(fields).toEqual(metricsTableLayouts[table].columns.map((c) => [c.name, c.nullable]));
    }
  });

  it('has a Parquet encoder for every request and service metrics column and none for a column it lacks', () => {
    const metricsTables = metricsTableNames.filter((t) => t !== 'service_events');
    const catalogued = new Set(
      metricsTables.flatMap((t) => metricsTableLayouts[t].columns.map((c) => c.name)),
    );
    expect(new Set(Object.keys(metricsColumnEncoders))).toEqual(catalogued);
  });

  it('declares every Trino external table with exactly the catalogue columns and partition columns', () => {
    for (const table of metricsTableNames) {
      const ddl = buildTrinoTableDdl('hive', 'gravix', 's3://bucket/', table);
      // Column properties (the partitions' projection) are not columns.
      const body = /\((.*)\)\s+WITH \(external_location/s.exec(ddl)![1]!.replace(/ WITH \([^)]*\)/g, '');
      const declared = body.split(', ').map((d) => d.split(' ')[0]!.replaceAll('"', ''));
      expect(declared).toEqual([
        ...metricsTableLayouts[table].columns.map((c) => c.name),
        ...partitionColumns(table),
      ]);
      expect(ddl).toContain(`external_location = 's3://bucket/metrics/${table}'`);
      expect(ddl).toContain('partition_projection_enabled = true');
      expect(ddl.match(/partition_projection_type/g)).toHaveLength(partitionColumns(table).length);
    }
  });

  it('names only catalogue columns in every counts and summary statement, whatever the query', () => {
    fc.assert(
      fc.property(metricsQuery, fc.boolean(), (query, withTiles) => {
        const snapshot = buildTenantSnapshot({ dayTiles: withTiles ? allDays(query) : new Set() });
        const endpoints = { ...query, endpoints: [{ service: 's', method: 'GET', path: '/' }] };
        for (const sql of [
          buildCountsSql(query, dialect, snapshot),
          buildSummarySql(query, dialect, snapshot),
          buildSummarySql(endpoints, dialect, snapshot),
          buildHistogramsSql(query, dialect, snapshot),
        ]) {
          expect(unknownColumns(sql.text)).toEqual([]);
        }
      }),
    );
  });

  it('names only catalogue columns in the events and last-minute statements', () => {
    const events = buildEventsSql(
      { tenant: 'acme', from: start, to: start + day, service: 's', limit: 5 },
      dialect,
    );
    expect(unknownColumns(events.text)).toEqual([]);
    expect(unknownColumns(buildLastMinuteSql('acme', start, day, dialect).text)).toEqual([]);
  });

  it('catches a column the catalogue lacks (the check itself works)', () => {
    expect(unknownColumns(`SELECT m.latency_p999_ms FROM ${marker('request_metrics_minute')} AS m`)).toEqual([
      'latency_p999_ms',
    ]);
    expect(unknownColumns(`SELECT m.method FROM ${marker('service_metrics_hour')} AS m`)).toEqual(['method']);
  });
});
