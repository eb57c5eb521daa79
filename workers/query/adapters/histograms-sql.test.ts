import type { MetricsQuery } from '../app/query-engine.js';
import { buildTenantSnapshot } from '../domain/tenant-snapshot.js';
import { buildHistogramsSql as buildStatement } from './histograms-sql.js';
import { inlineParams } from '../testing/inline-params.js';
import { buildCountsSql, buildSummarySql, type SqlDialect } from './metrics-sql.js';
import { buildTrinoDialect, trinoSessionFor } from './trino-query-engine.js';

const trino = buildTrinoDialect('hive', 'gravix');
const { mergeBuckets: _, ...unnesting } = trino;
const unnestOnly: SqlDialect = unnesting;
const hour = 3_600_000;
const from = Date.parse('2026-11-12T23:00:00Z');
const week: MetricsQuery = {
  tenant: 'acme',
  from,
  to: from + 7 * 24 * hour + 53 * 60_000,
  groupBy: 'endpoint',
};
const tiles = new Set(['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18']);
const snapshot = buildTenantSnapshot({ dayTiles: tiles });
/** The statement as text with its values written in, to read what it asks. */
const buildHistogramsSql = (...args: Parameters<typeof buildStatement>) =>
  inlineParams(buildStatement(...args));
/** How many table scans a statement asks the engine to plan: one per FROM of a metrics table. */
const scans = (sql: string) => sql.match(/FROM hive\.gravix\.\w+ AS m/g)?.length ?? 0;

describe('buildHistogramsSql', () => {
  it('reads each range of the plan once when the dialect merges histograms in one pass (Trino)', () => {
    // 7 days from 23:00 to 23:53: hour 23 of day one, six day tiles, 23 hours and 53 minutes of the last day.
    expect(scans(buildHistogramsSql(week, trino, snapshot))).toBe(4);
    // The unnesting form reads the rows through a CTE referenced twice (counts and buckets); Trino inlines each
    // reference as a scan of its own, planned and listed anew. The one-pass form has no CTE at all.
    expect(buildHistogramsSql(week, unnestOnly, snapshot).match(/FROM g\b/g)).toHaveLength(2);
    expect(buildHistogramsSql(week, trino, snapshot)).not.toMatch(/^WITH/);
  });

  it('lets the engine rank and cut a count order in the one-pass form, with the matched count', () => {
    const sql = buildHistogramsSql(
      { ...week, top: { by: 'errors5xx', limit: 21, minRequests: 2 } },
      trino,
      snapshot,
    );
    expect(sql).toContain('count(*) OVER () AS matched');
    expect(sql).toContain('WHERE s.requests >= 2');
    expect(sql).toMatch(
      /ORDER BY s\.errors5xx DESC, s\.requests DESC, s\.service, s\.path, s\.method\nLIMIT 21\)/,
    );
    // The page's order again over the folded rows: a projection above the cut keeps no order of its own.
    expect(sql).toMatch(
      /\) AS f\nORDER BY f\.errors5xx DESC, f\.requests DESC, f\.service, f\.path, f\.method$/,
    );
    expect(scans(sql)).toBe(4);
  });

  it('folds the histograms of the page only: the GROUP BY gathers them, the fold reads the cut rows', () => {
    const sql = buildHistogramsSql({ ...week, top: { by: 'error_rate', limit: 20 } }, trino, snapshot);
    const grouped = sql.slice(sql.indexOf('FROM (SELECT s.*'));
    // Gathered in the GROUP BY without merging; merged once per kept group, after the LIMIT.
    expect(grouped).toContain('array_agg(m.latency_bucket_index) AS bucket_indexes');
    expect(grouped).not.toContain('multimap_from_entries(');
    const fold = sql.indexOf(
      'multimap_from_entries(zip(flatten(h.bucket_indexes), flatten(h.bucket_counts)))',
    );
    expect(fold).toBeGreaterThan(-1);
    expect(fold).toBeLessThan(sql.indexOf('FROM (SELECT s.*'));
    expect(sql.indexOf('LIMIT 20')).toBeGreaterThan(sql.indexOf('GROUP BY m.service, m.method, m.path'));
    // The lists read the fold's column: the merge is not written (nor run) twice.
    expect(sql.match(/multimap_from_entries\(/g)).toHaveLength(1);
    expect(sql).toContain('array_sort(map_keys(f.buckets)) AS bucket_index');
  });

  it('refuses a p95 order in SQL: p95 needs the merged ranks, which the engine adapter computes', () => {
    expect(() => buildHistogramsSql({ ...week, top: { by: 'p95', limit: 20 } }, trino, snapshot)).toThrow(
      new RangeError('histograms cannot be ranked by p95 in SQL'),
    );
  });

  it('merges a step series in one GROUP BY over the step expression', () => {
    const series = { ...week, groupBy: 'step' as const, stepMs: hour };
    const sql = buildHistogramsSql(series, trino, snapshot);
    expect(sql).toContain(
      'array_agg(m.latency_bucket_index) AS bucket_indexes, array_agg(m.latency_bucket_count)',
    );
    expect(sql).toContain('multimap_from_entries(zip(flatten(h.bucket_indexes), flatten(h.bucket_counts)))');
    expect(sql).toContain(`SELECT (${from} + ((m.minute_ms - ${from}) / ${hour}) * ${hour}) AS t, `);
    // Grouped by position: the step expression's bound values are separate placeholders to Trino.
    expect(sql).toContain('GROUP BY 1) AS h) AS f');
    // A step series never reads day tiles: hours and the last minutes.
    expect(scans(sql)).toBe(2);
  });
});

describe('aggregation hints (docs/adr/0147)', () => {
  const statements = (query: MetricsQuery) => [
    buildStatement(query, trino, snapshot),
    buildStatement(query, unnestOnly, snapshot),
    buildCountsSql(query, trino, snapshot),
    buildSummarySql(query, trino, snapshot),
  ];

  it('asks for one aggregation over every file when grouping by endpoint (a file holds one row per endpoint)', () => {
    for (const query of [
      week,
      { ...week, top: { by: 'errors5xx', limit: 21 } },
      { ...week, service: 'svc-03' },
    ] satisfies MetricsQuery[]) {
      for (const statement of statements(query)) expect(statement.aggregateEachFile).toBe(false);
      expect(trinoSessionFor(buildStatement(query, trino, snapshot))).toEqual({
        prefer_partial_aggregation: 'false',
      });
    }
  });

  it("leaves the engine's default by service or by step, where a file's rows fold many to one", () => {
    for (const query of [
      { ...week, groupBy: 'service' },
      { ...week, groupBy: 'step', stepMs: hour },
      { ...week, groupBy: 'step', stepMs: hour, service: 'svc-03' },
    ] satisfies MetricsQuery[]) {
      for (const statement of statements(query)) expect(statement.aggregateEachFile).toBeUndefined();
      expect(trinoSessionFor(buildStatement(query, trino, snapshot))).toEqual({});
    }
  });
});
