/**
 * bench/query: p50/p95 of the dashboard's calls over 7 days x 20 services x 50 paths, through Gravix's
 * QueryService on DuckDB, beside hand-written DuckDB SQL doing the same aggregation on the same files.
 * Usage: npm run bench:query [-- --density 0.25 --iterations 15]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { chooseStep } from '../../workers/query/domain/choose-step.js';
import { QueryService } from '../../workers/query/query-service.js';
import { ensureDataset } from './query-dataset.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const density = arg('density', 0.25);
const iterations = arg('iterations', 15);
const end = Date.parse('2026-11-20T00:00:00Z');
const week = 7 * 86_400_000;
const tenant = 'bench';
const root = join(tmpdir(), `gravix-bench-query-d${density}`);

interface Call {
  name: string;
  gravix: (s: QueryService) => Promise<unknown>;
  /** Group expression and filter for the hand-written floor query. */
  floor: { group: string; where: string; from: number; to: number };
}

const dayAgo = end - 86_400_000;
const step7d = chooseStep(end - week, end);
const step1d = chooseStep(dayAgo, end);
const calls: Call[] = [
  {
    name: 'services 7d',
    gravix: (s) => s.services(tenant, end - week, end),
    floor: { group: 'service', where: 'true', from: end - week, to: end },
  },
  {
    name: 'timeseries all 7d',
    gravix: (s) => s.timeseries({ tenant, from: end - week, to: end, stepMs: step7d }),
    floor: { group: `(minute_ms // ${step7d}) * ${step7d}`, where: 'true', from: end - week, to: end },
  },
  {
    name: 'timeseries service 7d',
    gravix: (s) => s.timeseries({ tenant, from: end - week, to: end, stepMs: step7d, service: 'svc-03' }),
    floor: {
      group: `(minute_ms // ${step7d}) * ${step7d}`,
      where: "service = 'svc-03'",
      from: end - week,
      to: end,
    },
  },
  {
    name: 'timeseries endpoint 1d compare=1d',
    gravix: (s) =>
      s.timeseries({
        tenant,
        from: dayAgo,
        to: end,
        stepMs: step1d,
        service: 'svc-03',
        method: 'GET',
        path: '/api/resource-4/:id',
        compare: '1d',
      }),
    floor: {
      group: `(minute_ms // ${step1d}) * ${step1d}`,
      where: "service = 'svc-03' AND method = 'GET' AND path = '/api/resource-4/:id'",
      from: dayAgo - 86_400_000,
      to: end,
    },
  },
  {
    name: 'endpoints errors 1d',
    gravix: (s) => s.endpoints(tenant, dayAgo, end, 'errors', 20),
    floor: { group: "service || ' ' || method || ' ' || path", where: 'true', from: dayAgo, to: end },
  },
  {
    name: 'endpoints p95 7d',
    gravix: (s) => s.endpoints(tenant, end - week, end, 'p95', 20),
    floor: { group: "service || ' ' || method || ' ' || path", where: 'true', from: end - week, to: end },
  },
];

/** The same work in one hand-written statement: counts plus p50/p95/p99 bucket per group from cumulative sums. */
function floorSql(c: Call['floor']): string {
  const glob = `${root}/metrics/request_metrics_minute/tenant=${tenant}/*/*/*.parquet`;
  return `WITH m AS (SELECT ${c.group} AS g, requests, errors_5xx, latency_bucket_index AS bi, latency_bucket_count AS bc
      FROM read_parquet('${glob}', hive_partitioning = true, hive_types_autocast = false)
      WHERE minute_ms >= ${c.from} AND minute_ms < ${c.to} AND ${c.where}),
    c AS (SELECT g, sum(requests) AS req, sum(errors_5xx) AS e5 FROM m GROUP BY g),
    b AS (SELECT g, idx, sum(cnt) AS cnt FROM (SELECT g, unnest(bi) AS idx, unnest(bc) AS cnt FROM m) GROUP BY g, idx),
    cum AS (SELECT g, idx, sum(cnt) OVER (PARTITION BY g ORDER BY idx) AS run, sum(cnt) OVER (PARTITION BY g) AS total FROM b),
    q AS (SELECT g, min(idx) FILTER (WHERE run > 0.5 * (total - 1)) AS p50, min(idx) FILTER (WHERE run > 0.95 * (total - 1)) AS p95,
      min(idx) FILTER (WHERE run > 0.99 * (total - 1)) AS p99 FROM cum GROUP BY g)
    SELECT * FROM c JOIN q USING (g)`;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function measure(run: () => Promise<unknown>): Promise<{ p50Ms: number; p95Ms: number }> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: Number(pct(times, 0.5).toFixed(1)), p95Ms: Number(pct(times, 0.95).toFixed(1)) };
}

async function main(): Promise<void> {
  const generated = performance.now();
  const dataset = ensureDataset({ root, tenant, end, days: 7, services: 20, paths: 50, density });
  const generateSeconds = Number(((performance.now() - generated) / 1000).toFixed(1));
  const service = new QueryService(await DuckDbQueryEngine.open(root), new LocalObjectStore(root));
  const floorDb = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  const results = [];
  for (const call of calls) {
    const gravix = await measure(() => call.gravix(service));
    const floor = await measure(() => floorDb.runAndReadAll(floorSql(call.floor)));
    results.push({
      call: call.name,
      gravix,
      floor,
      ratioP95: Number((gravix.p95Ms / floor.p95Ms).toFixed(2)),
    });
  }
  const worst = results.reduce((a, b) => (b.gravix.p95Ms > a.gravix.p95Ms ? b : a));
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'query',
        dataset: {
          days: 7,
          services: 20,
          paths: 50,
          density,
          rows: dataset.rows,
          reused: dataset.reused,
          generateSeconds,
        },
        iterations,
        results,
        targets: {
          worstP95Ms: worst.gravix.p95Ms,
          target: '< 300 ms p95 and <= 1.5x the floor',
          worstRatio: Math.max(...results.map((r) => r.ratioP95)),
        },
      },
      null,
      2,
    )}\n`,
  );
}

void main();
