import { DuckDBInstance } from '@duckdb/node-api';
import { latencyGamma, latencyMinIndexableMs } from '../../workers/domain/latency-sketch.js';

/**
 * The same work in DuckDB: read the gzip'd JSON lines, dedupe by event_id, aggregate per (minute, service,
 * method, path) with the same log-bucket histogram and percentiles, write ZSTD Parquet.
 */
const [glob, outFile] = process.argv.slice(2);
const columns = `{kind: 'VARCHAR', event_id: 'VARCHAR', ts: 'BIGINT', service: 'VARCHAR', method: 'VARCHAR',
  path: 'VARCHAR', status_code: 'INTEGER', latency_ms: 'DOUBLE'}`;
const sql = `
COPY (
  WITH raw AS (SELECT * FROM read_json('${glob}', format = 'newline_delimited', columns = ${columns})),
  facts AS (SELECT DISTINCT ON (event_id) * FROM raw WHERE kind = 'fact'),
  b AS (
    SELECT ts - ts % 60000 AS minute_ms, service, method, path, status_code, latency_ms,
      CASE WHEN latency_ms >= ${latencyMinIndexableMs} THEN CAST(ceil(ln(latency_ms) / ln(${latencyGamma})) AS INTEGER) END AS bucket
    FROM facts),
  per_bucket AS (SELECT minute_ms, service, method, path, bucket, count(*) AS n FROM b WHERE bucket IS NOT NULL GROUP BY ALL),
  hist AS (
    SELECT minute_ms, service, method, path, list(bucket ORDER BY bucket) AS latency_bucket_index,
      list(n ORDER BY bucket) AS latency_bucket_count
    FROM per_bucket GROUP BY ALL),
  agg AS (
    SELECT minute_ms, service, method, path, count(*) AS requests,
      count(*) FILTER (WHERE status_code >= 500) AS errors_5xx,
      count(*) FILTER (WHERE status_code >= 400 AND status_code < 500) AS errors_4xx,
      sum(latency_ms) AS latency_sum_ms, min(latency_ms) AS latency_min_ms, max(latency_ms) AS latency_max_ms,
      approx_quantile(latency_ms, 0.5) AS latency_p50_ms, approx_quantile(latency_ms, 0.95) AS latency_p95_ms,
      approx_quantile(latency_ms, 0.99) AS latency_p99_ms,
      count(*) FILTER (WHERE bucket IS NULL) AS latency_zero_count
    FROM b GROUP BY ALL)
  SELECT agg.*, hist.latency_bucket_index, hist.latency_bucket_count
  FROM agg LEFT JOIN hist USING (minute_ms, service, method, path)
  ORDER BY minute_ms, service, method, path
) TO '${outFile}' (FORMAT parquet, COMPRESSION zstd)`;

const started = performance.now();
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(sql);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage();
const check = await connection.runAndReadAll(
  `SELECT count(*) AS rows, sum(requests) AS facts FROM '${outFile}'`,
);
const [row] = check.getRowObjectsJson();
process.stdout.write(
  `${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, rows: Number(row?.['rows']), facts: Number(row?.['facts']) })}\n`,
);
