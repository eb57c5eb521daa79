import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { latencyGamma, latencyRelativeAccuracy } from '../../domain/latency-sketch.js';
import { runRollupOnce } from './run-rollup-once.js';
import { chunk, putRawSegment } from '../testing/raw-segments.js';
import { rollupPolicy } from '../testing/rollup.contract.js';
import { buildSeededFacts, exactQuantile } from '../testing/seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');

// The reader contract of workers/rollup/README.md, executed by a real SQL engine over the real files.
const mergedPercentileSql = (glob: string, q: number) => `
WITH rows AS (
  SELECT * FROM read_parquet('${glob}', hive_partitioning = true) WHERE service = 'checkout'),
zipped AS (
  SELECT unnest(latency_bucket_index) AS idx, unnest(latency_bucket_count) AS cnt FROM rows),
buckets AS (
  SELECT idx, sum(cnt) AS n FROM zipped GROUP BY idx
  UNION ALL SELECT -2147483648 AS idx, sum(latency_zero_count) AS n FROM rows),
ranked AS (
  SELECT idx, sum(n) OVER (ORDER BY idx) AS cumulative, sum(n) OVER () AS total FROM buckets)
SELECT CASE WHEN idx = -2147483648 THEN 0 ELSE 2 * pow(${latencyGamma}, idx) / (1 + ${latencyGamma}) END AS value,
  (SELECT sum(requests) FROM rows) AS requests
FROM ranked WHERE cumulative > floor(${q} * (total - 1)) ORDER BY idx LIMIT 1`;

describe('metrics files read by DuckDB', () => {
  it('merge to exact counts and 1% percentiles with UNNEST + SUM by bucket, across hours and partitions', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gravix-rollup-duckdb-'));
    const store = new LocalObjectStore(dataDir);
    const facts = buildSeededFacts({ seed: 11, count: 30_000, fromMs: hour10, spanMs: 2 * 3_600_000 });
    let seq = 0;
    for (const hour of [hour10, hour10 + 3_600_000]) {
      const inHour = facts.filter((f) => f.ts >= hour && f.ts < hour + 3_600_000);
      for (const part of chunk(inHour, 7_000)) await putRawSegment(store, part, { seq: seq++ });
    }
    await runRollupOnce({ store, ...rollupPolicy() });
    const glob = join(dataDir, 'metrics', 'request_metrics_minute', '**', '*.parquet');
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const checkout = facts.filter((f) => f.service === 'checkout').map((f) => f.latency_ms);
    const sorted = checkout.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99, 0.999]) {
      const [row] = (await connection.runAndReadAll(mergedPercentileSql(glob, q))).getRowObjectsJson();
      expect(Number(row?.['requests'])).toBe(sorted.length);
      const want = exactQuantile(sorted, q);
      expect(Math.abs(Number(row?.['value']) - want) / want).toBeLessThanOrEqual(
        latencyRelativeAccuracy + 1e-9,
      );
    }
    const [types] = (
      await connection.runAndReadAll(
        `SELECT typeof(minute_ms) AS minute, typeof(latency_bucket_index) AS idx, typeof(latency_bucket_count) AS cnt,
           typeof(tenant) AS tenant FROM read_parquet('${glob}', hive_partitioning = true) LIMIT 1`,
      )
    ).getRowObjectsJson();
    expect(types).toEqual({ minute: 'BIGINT', idx: 'INTEGER[]', cnt: 'BIGINT[]', tenant: 'VARCHAR' });
  });
});
