/**
 * The sort and cut of a grouped metrics statement (`query.top`), in SQL: one owner for the order, which the
 * engine's page and the refolded rows around it (histograms-sql.ts) both use, and which the result cache's merge
 * repeats in code (domain/merge-summaries.ts topOrder).
 */
import type { MetricsQuery } from '../app/query-engine.js';
import type { SqlParams } from './sql-statement.js';

/** The group keys in the order that breaks ties (an endpoint by service, then path, then method). */
const orderKeys = { step: ['t'], service: ['service'], endpoint: ['service', 'path', 'method'] } as const;

const topOrder = {
  requests: () => [],
  errors5xx: (a: string) => [`${a}.errors5xx DESC`],
  error_rate: (a: string) => [
    `CASE WHEN ${a}.requests > 0 THEN CAST(${a}.errors5xx AS double) / ${a}.requests ELSE 0 END DESC`,
  ],
  // The bucket index grows with the value; NULL is a zero p95 or no latencies, both below any bucket.
  p95: (a: string) => [`${a}.p95_index DESC NULLS LAST`],
} as const;

/** The ORDER BY terms of `query.top` over the columns of `alias`: the measure, then requests, then the keys. */
export function topOrderTerms(query: MetricsQuery, alias: string): string[] {
  if (!query.top) return [];
  return [
    ...topOrder[query.top.by](alias),
    `${alias}.requests DESC`,
    ...orderKeys[query.groupBy].map((k) => `${alias}.${k}`),
  ];
}

/**
 * Wraps a grouped statement in the sort and cut of `query.top`, when it has one. `matched` counts the groups that
 * pass `minRequests` before the cut (a window over the filtered set), so a page also tells how many there are.
 */
export function withTop(sql: string, query: MetricsQuery, p: SqlParams): string {
  if (!query.top) return sql;
  const { limit, offset = 0, minRequests = 0 } = query.top;
  const where = minRequests > 1 ? `\nWHERE s.requests >= ${p.bind(minRequests)}` : '';
  // OFFSET before LIMIT: the order both Trino's grammar and DuckDB's accept.
  const page = `${offset > 0 ? `OFFSET ${p.bind(offset)} ` : ''}LIMIT ${p.bind(limit)}`;
  return `SELECT s.*, count(*) OVER () AS matched FROM (\n${sql}\n) AS s${where}\nORDER BY ${topOrderTerms(query, 's').join(', ')}\n${page}`;
}
