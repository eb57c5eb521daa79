import type { MetricsQuery } from '../app/query-engine.js';
import type { TenantSnapshot } from '../domain/tenant-snapshot.js';
import {
  countNames,
  countSums,
  groupColumns,
  metricsRowsSql,
  rowCountColumns,
  type SqlDialect,
} from './metrics-sql.js';

const keysOf = { step: ['t'], service: ['service'], endpoint: ['service', 'method', 'path'] } as const;

/**
 * Counts and the merged histogram (bucket indexes ascending, with their counts) per group, in one statement: what
 * the result cache keeps for a closed range, so the service can merge it with the open minutes and rank the
 * merged histograms itself (domain/merge-summaries.ts) exactly as buildSummarySql does.
 */
export function buildHistogramsSql(
  query: MetricsQuery,
  dialect: SqlDialect,
  snapshot: TenantSnapshot,
): string {
  const { select } = groupColumns(query.groupBy, query, dialect);
  const keys = keysOf[query.groupBy];
  const unnest = dialect.unnestBuckets('g');
  const on = keys.map((k) => `c.${k} = h.${k}`).join(' AND ');
  return [
    `WITH g AS (SELECT ${select.join(', ')}, ${rowCountColumns}, m.latency_max_ms, m.latency_zero_count,`,
    `  m.latency_bucket_index, m.latency_bucket_count FROM ${metricsRowsSql(query, dialect, snapshot)} AS m),`,
    `c AS (SELECT ${keys.join(', ')}, ${countSums()},`,
    `  sum(latency_zero_count) AS latency_zero, max(latency_max_ms) AS latency_max FROM g GROUP BY ${keys.join(', ')}),`,
    `b AS (SELECT ${keys.join(', ')}, idx, sum(cnt) AS cnt FROM (SELECT ${keys.map((k) => `g.${k}`).join(', ')}, ${unnest.select}`,
    `  FROM g ${unnest.join}) AS x GROUP BY ${keys.join(', ')}, idx),`,
    `h AS (SELECT ${keys.join(', ')}, array_agg(idx ORDER BY idx) AS bucket_index, array_agg(cnt ORDER BY idx) AS bucket_count`,
    `  FROM b GROUP BY ${keys.join(', ')})`,
    `SELECT ${keys.map((k) => `c.${k}`).join(', ')}, ${countNames.map((n) => `c.${n}`).join(', ')}, c.latency_zero, c.latency_max,`,
    '  h.bucket_index, h.bucket_count',
    `FROM c LEFT JOIN h ON ${on}`,
  ].join('\n');
}
