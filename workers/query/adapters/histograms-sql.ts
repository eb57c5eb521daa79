import type { MetricsQuery } from '../app/query-engine.js';
import type { TenantSnapshot } from '../domain/tenant-snapshot.js';
import {
  aggregationHints,
  countNames,
  countSums,
  groupColumns,
  groupKeys,
  metricsRowsSql,
  rowCountColumns,
  type SqlDialect,
} from './metrics-sql.js';
import { topOrderTerms, withTop } from './top-sql.js';
import { SqlParams, type SqlStatement } from './sql-statement.js';

/**
 * Counts and the merged histogram (bucket indexes ascending, with their counts) per group, in one statement: what
 * the result cache keeps for a closed range, so the service can merge it with the open minutes and rank the
 * merged histograms itself (domain/merge-summaries.ts) exactly as buildSummarySql does.
 */
export function buildHistogramsSql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
): SqlStatement {
  const p = new SqlParams();
  if (dialect.mergeBuckets)
    return p.statement(
      buildOnePassHistogramsSql(query, dialect, snapshot, dialect.mergeBuckets, p),
      aggregationHints(query),
    );
  const { select } = groupColumns(query.groupBy, query, dialect, p);
  const keys = groupKeys[query.groupBy];
  const unnest = dialect.unnestBuckets('g');
  const on = keys.map((k) => `c.${k} = h.${k}`).join(' AND ');
  const text = [
    `WITH g AS (SELECT ${select.join(', ')}, ${rowCountColumns}, m.latency_max_ms, m.latency_zero_count,`,
    `  m.latency_bucket_index, m.latency_bucket_count FROM ${metricsRowsSql(query, dialect, snapshot, p)} AS m),`,
    `c AS (SELECT ${keys.join(', ')}, ${countSums()},`,
    `  sum(latency_zero_count) AS latency_zero, max(latency_max_ms) AS latency_max FROM g GROUP BY ${keys.join(', ')}),`,
    // BIGINT sums: DuckDB's sum of BIGINT is a HUGEINT, slower to aggregate and to list for every bucket.
    `b AS (SELECT ${keys.join(', ')}, idx, CAST(sum(cnt) AS BIGINT) AS cnt FROM (SELECT ${keys.map((k) => `g.${k}`).join(', ')}, ${unnest.select}`,
    `  FROM g ${unnest.join}) AS x GROUP BY ${keys.join(', ')}, idx),`,
    `h AS (SELECT ${keys.join(', ')}, array_agg(idx ORDER BY idx) AS bucket_index, array_agg(cnt ORDER BY idx) AS bucket_count`,
    `  FROM b GROUP BY ${keys.join(', ')})`,
    `SELECT ${keys.map((k) => `c.${k}`).join(', ')}, ${countNames.map((n) => `c.${n}`).join(', ')}, c.latency_zero, c.latency_max,`,
    '  h.bucket_index, h.bucket_count',
    `FROM c LEFT JOIN h ON ${on}`,
  ].join('\n');
  return p.statement(text, aggregationHints(query));
}

/**
 * The same rows in one pass over the data, for dialects that merge histograms (`dialect.mergeBuckets`): counts and
 * the group's histograms gathered by one GROUP BY, then folded into one per group. With `query.top` (a count
 * order; p95 needs the ranks) the engine sorts and cuts first, as buildCountsSql does, and folds only the groups
 * on the page: a 20-endpoint page of 1,000 endpoints merges 20 histograms, not 1,000 (docs/adr/0139).
 */
function buildOnePassHistogramsSql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
  merge: NonNullable<SqlDialect['mergeBuckets']>,
  p: SqlParams,
): string {
  if (query.top?.by === 'p95') throw new RangeError('histograms cannot be ranked by p95 in SQL');
  const { select, group } = groupColumns(query.groupBy, query, dialect, p);
  const keys = groupKeys[query.groupBy];
  const grouped = [
    `SELECT ${select.join(', ')}, ${countSums('m.')},`,
    `  sum(m.latency_zero_count) AS latency_zero, max(m.latency_max_ms) AS latency_max,`,
    `  ${merge.collect('m')}`,
    `  FROM ${metricsRowsSql(query, dialect, snapshot, p)} AS m GROUP BY ${group.join(', ')}`,
  ].join('\n');
  // The page (or every group), then the fold over what it kept, then the lists: the fold is one column of its
  // own projection so the two lists read it rather than fold twice.
  const kept = withTop(grouped, query, p);
  const carried = [...keys, ...countNames, 'latency_zero', 'latency_max', ...(query.top ? ['matched'] : [])];
  const lists = merge.lists('f.buckets');
  const order = query.top ? `\nORDER BY ${topOrderTerms(query, 'f').join(', ')}` : '';
  return [
    `SELECT ${carried.map((c) => `f.${c}`).join(', ')},`,
    `  ${lists.index} AS bucket_index, ${lists.count} AS bucket_count`,
    `FROM (SELECT ${carried.map((c) => `h.${c}`).join(', ')}, ${merge.fold('h')} AS buckets`,
    `  FROM (${kept}) AS h) AS f${order}`,
  ].join('\n');
}
