import { stringify } from 'yaml';

/**
 * Cube data model over the minute metrics table. Percentiles are exposed as the precomputed per-minute
 * columns only; merging histograms across minutes needs the Gravix query API (see DESIGN.md).
 */
export function buildCubeModel(schema = 'gravix'): string {
  const sum = (sql: string) => ({ sql, type: 'sum' });
  return stringify({
    cubes: [
      {
        name: 'request_metrics',
        sql_table: `hive.${schema}.request_metrics_minute`,
        measures: [
          { name: 'requests', ...sum('requests') },
          { name: 'errors_5xx', ...sum('errors_5xx') },
          { name: 'errors_4xx', ...sum('errors_4xx') },
          { name: 'latency_sum_ms', ...sum('latency_sum_ms') },
          {
            name: 'error_rate',
            type: 'number',
            sql: `CAST({errors_5xx} AS DOUBLE) / NULLIF({requests}, 0)`,
            format: 'percent',
          },
          { name: 'avg_latency_ms', type: 'number', sql: `{latency_sum_ms} / NULLIF({requests}, 0)` },
        ],
        dimensions: [
          { name: 'tenant', sql: 'tenant', type: 'string' },
          { name: 'service', sql: 'service', type: 'string' },
          { name: 'method', sql: 'method', type: 'string' },
          { name: 'path', sql: 'path', type: 'string' },
          { name: 'minute', sql: 'minute', type: 'time' },
          { name: 'p95_ms', sql: 'p95_ms', type: 'number' },
        ],
      },
    ],
  });
}
