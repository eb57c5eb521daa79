import { exemplarColumnName, type ExemplarField } from '../../domain/metrics-layout.js';
import type { ExemplarRow, ExemplarsQuery } from '../app/query-engine.js';
import { exemplarOrder } from '../domain/exemplar-order.js';
import type { SqlDialect } from './metrics-sql.js';
import { partitionTerms } from './partition-terms.js';
import { roundLatencyMs } from '../../domain/latency-sketch.js';
import { toNumber } from './metrics-rows.js';
import { SqlParams, type SqlStatement } from './sql-statement.js';

/** The stored field behind each ordering field of domain/exemplar-order.ts. */
const orderColumn = { latencyMs: 'latency_ms', t: 'ts_ms' } as const satisfies Record<string, ExemplarField>;

/**
 * The exemplars of the minute rows in a range: one kind's columns of request_metrics_minute (metrics-layout.ts
 * owns their names), rows without that exemplar skipped (no trace id among their facts, files written before
 * exemplars: NULL), in domain/exemplar-order.ts's order and cut to the limit inside the engine. Every value is a
 * bound parameter (ADR 0078).
 */
export function buildExemplarsSql(query: ExemplarsQuery, dialect: SqlDialect): SqlStatement {
  const p = new SqlParams();
  const c = (field: ExemplarField) => `m.${exemplarColumnName(query.kind, field)}`;
  const terms = [
    ...dialect.tenantFilter(query.tenant, p),
    ...partitionTerms(query, true, p),
    `m.minute_ms >= ${p.bind(query.from)}`,
    `m.minute_ms < ${p.bind(query.to)}`,
    `${c('trace_id')} IS NOT NULL`,
  ];
  if (query.service !== undefined) terms.push(`m.service = ${p.bind(query.service)}`);
  if (query.method !== undefined) terms.push(`m.method = ${p.bind(query.method)}`);
  if (query.path !== undefined) terms.push(`m.path = ${p.bind(query.path)}`);
  const descending = exemplarOrder[query.kind].map((field) => `${c(orderColumn[field])} DESC`);
  const text = [
    'SELECT m.minute_ms AS minute, m.service AS service, m.method AS method, m.path AS path,',
    `  ${c('trace_id')} AS trace_id, ${c('span_id')} AS span_id, ${c('latency_ms')} AS latency_ms,`,
    `  ${c('status_code')} AS status_code, ${c('ts_ms')} AS t`,
    `FROM ${dialect.source('request_metrics_minute', query.tenant, p)} AS m`,
    `WHERE ${terms.join(' AND ')}`,
    // The tie-breaks of exemplarTieBreaks, ascending; a missing span id as the empty text.
    `ORDER BY ${descending.join(', ')}, ${c('trace_id')}, coalesce(${c('span_id')}, ''), m.minute_ms, m.service, m.method, m.path`,
    `LIMIT ${p.bind(query.limit)}`,
  ].join('\n');
  return p.statement(text);
}

export function toExemplarRow(row: Record<string, unknown>): ExemplarRow {
  const spanId = row['span_id'];
  return {
    minute: toNumber(row['minute']),
    service: String(row['service']),
    method: String(row['method']),
    path: String(row['path']),
    traceId: String(row['trace_id']),
    spanId: spanId === null || spanId === undefined ? null : String(spanId),
    latencyMs: roundLatencyMs(toNumber(row['latency_ms'])),
    statusCode: toNumber(row['status_code']),
    t: toNumber(row['t']),
  };
}
