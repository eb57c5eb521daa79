/**
 * bench/query: p50/p95 of the dashboard's calls over 7 days x 20 services x 50 paths, through Gravix's
 * QueryService on DuckDB, beside hand-written DuckDB SQL doing the same aggregation on the same files.
 * The calls are the ones the dashboard makes (its own range and step logic, dashboards/web/src/domain/
 * time-range.ts) for the 7-day and 24-hour views: overview, a service selected, an endpoint drilled into with a
 * day-over-day or week-over-week overlay.
 * With --engine trino the same calls also run through Trino over MinIO (startTrinoTarget: the JVM flags and catalog
 * a pipeline deploys), printed beside DuckDB's, with the seconds of the first call after Trino started.
 * Usage: npm run bench:query [-- --engine duckdb|trino --density 0.25 --iterations 15]
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { resolveRange } from '../../dashboards/web/src/domain/time-range.js';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { planMetricsScan } from '../../workers/query/domain/plan-metrics-scan.js';
import type { MetricsQuery } from '../../workers/query/app/query-engine.js';
import { QueryService } from '../../workers/query/app/query-service.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import type { QueryEngine } from '../../workers/query/app/query-engine.js';
import { ResultCachingEngine } from '../../workers/query/app/result-cache.js';
import { ensureDataset } from './query-dataset.js';
import { startTrinoTarget, type TrinoTarget } from './trino-target.js';
import { floorSql, type FloorQuery } from './query-floor.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const engineArg = process.argv.indexOf('--engine');
const engineName = engineArg > 0 ? process.argv[engineArg + 1] : 'duckdb';
if (engineName !== 'duckdb' && engineName !== 'trino')
  throw new Error(`--engine must be duckdb or trino, got ${engineName}`);
const density = arg('density', 0.25);
const iterations = arg('iterations', 15);
const end = Date.parse('2026-11-20T00:00:00Z');
const day = 86_400_000;
const tenant = 'bench';
const root = join(tmpdir(), `gravix-bench-query-v4-d${density}`);
// A moment a few minutes before the data ends, so ranges have ragged ends as they do live.
const now = end - 7 * 60_000 - 20_000;
const week = resolveRange({ kind: 'preset', preset: '7d' }, now);
const today = resolveRange({ kind: 'preset', preset: '24h' }, now);
const endpoint = { service: 'svc-03', method: 'GET', path: '/api/resource-4/:id' };
const closedDays = new Set(
  Array.from({ length: 7 }, (_, i) => new Date(end - (i + 1) * day).toISOString().slice(0, 10)),
);

interface Call {
  name: string;
  gravix: (s: QueryService) => Promise<unknown>;
  /** The same aggregation as one hand-written statement per query the call makes. */
  floors: FloorQuery[];
}

type Range = typeof week;
const stepGroup = (r: Range) => `(minute_ms - ${r.from}) // ${r.stepMs}`;
const endpointGroup = "service || ' ' || method || ' ' || path";
const endpointWhere = `service = '${endpoint.service}' AND method = '${endpoint.method}' AND path = '${endpoint.path}'`;

function floor(
  query: Omit<MetricsQuery, 'tenant'>,
  group: string,
  where: string,
  percentiles = true,
): FloorQuery {
  // The same table choice as Gravix: per-service rows unless the query needs endpoints.
  const level = query.groupBy === 'endpoint' || where.includes('path') ? 'request' : 'service';
  // Day tiles exist for every closed day of the dataset, and Gravix reads them for endpoint tables.
  const plan = planMetricsScan(query, level === 'request' ? closedDays : new Set());
  return { plan, group, where, percentiles, level };
}

function series(name: string, r: Range, where: string, compare?: '1d' | '7d', filter = {}): Call {
  const offset = compare === '7d' ? 7 * day : day;
  const q = { from: r.from, to: r.to, stepMs: r.stepMs, groupBy: 'step' as const };
  const floors = [floor(q, stepGroup(r), where)];
  if (compare) floors.push(floor({ ...q, from: r.from - offset, to: r.to - offset }, stepGroup(r), where));
  return {
    name,
    gravix: (s) => s.timeseries({ tenant, from: r.from, to: r.to, stepMs: r.stepMs, compare, ...filter }),
    floors,
  };
}

function endpoints(name: string, r: Range, service?: string, sort: 'errors' | 'p95' = 'errors'): Call {
  const where = service ? `service = '${service}'` : 'true';
  return {
    name,
    gravix: (s) => s.endpoints(tenant, r.from, r.to, sort, 20, service),
    floors: [floor({ from: r.from, to: r.to, groupBy: 'endpoint' }, endpointGroup, where)],
  };
}

const calls: Call[] = [
  {
    name: 'services 7d',
    gravix: (s) => s.services(tenant, week.from, week.to, 100),
    floors: [floor({ from: week.from, to: week.to, groupBy: 'service' }, 'service', 'true', false)],
  },
  series('timeseries all 7d', week, 'true'),
  endpoints('endpoints 7d', week),
  endpoints('endpoints 7d sort=p95 (slowest)', week, undefined, 'p95'),
  series('timeseries service 7d', week, "service = 'svc-03'", undefined, { service: 'svc-03' }),
  endpoints('endpoints service 7d', week, 'svc-03'),
  series('timeseries endpoint 7d compare=7d', week, endpointWhere, '7d', endpoint),
  series('timeseries all 24h', today, 'true'),
  endpoints('endpoints 24h', today),
  series('timeseries endpoint 24h compare=1d', today, endpointWhere, '1d', endpoint),
];

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
  const manifests = new RollupManifests(new LocalObjectStore(root));
  const duckdb = await DuckDbQueryEngine.open(root, undefined, manifests);
  const service = new QueryService(duckdb, manifests);
  const trino = engineName === 'trino' ? await startTrinoTarget(root) : undefined;
  try {
    const first = trino ? await firstCall(trino) : undefined;
    const trinoService = trino && new QueryService(trino.engine, trino.manifests);
    // What an auto-refreshing dashboard costs: the same call through the result cache after a first load.
    const refreshing = trino
      ? cachedService(trino.engine, trino.manifests)
      : cachedService(duckdb, manifests);
    const floorDb = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
    const results = [];
    for (const call of calls) {
      const gravix = await measure(() => call.gravix(service));
      // The service runs a call's queries concurrently; so does the floor.
      const floor = await measure(() =>
        Promise.all(call.floors.map((f) => floorDb.runAndReadAll(floorSql(root, tenant, f)))),
      );
      const onTrino = trinoService && { trino: await measure(() => call.gravix(trinoService)) };
      const refresh = await measure(() => call.gravix(refreshing));
      results.push({
        call: call.name,
        gravix,
        ...onTrino,
        refresh,
        floor,
        ratioP95: Number((gravix.p95Ms / floor.p95Ms).toFixed(2)),
      });
    }
    const worst = results.reduce((a, b) => (b.gravix.p95Ms > a.gravix.p95Ms ? b : a));
    const summary = {
      bench: 'query',
      engine: engineName,
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
      ...(trino && {
        trinoStart: { ...first, startSeconds: trino.startSeconds, openSeconds: trino.openSeconds },
      }),
      results,
      targets: {
        worstP95Ms: worst.gravix.p95Ms,
        worstCall: worst.call,
        target: '< 300 ms p95 and <= 1.5x the floor',
        worstRatio: Math.max(...results.map((r) => r.ratioP95)),
        ...(trino && trinoTargets(results)),
      },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await trino?.stop();
  }
}

/** A QueryService behind the result cache, with the bench's "now" so its last hour is the open one. */
function cachedService(engine: QueryEngine, manifests: RollupManifests): QueryService {
  const cache = new ResultCachingEngine(engine, manifests, {
    maxBytes: 64 * 2 ** 20,
    now: () => now,
  });
  return new QueryService(cache, manifests);
}

/** The first dashboard call after Trino started and the tables exist (cold JIT, cold caches). */
async function firstCall(trino: TrinoTarget): Promise<{ firstCallSeconds: number }> {
  const started = performance.now();
  await calls[0]!.gravix(new QueryService(trino.engine, trino.manifests));
  return { firstCallSeconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
}

/** Issue #18's Trino targets: every 7-day call p95 < 1 s, every 24-hour call < 500 ms. */
function trinoTargets(results: { call: string; trino?: { p95Ms: number } }[]) {
  const worst = (span: string) =>
    Math.max(...results.filter((r) => r.call.includes(span)).map((r) => r.trino?.p95Ms ?? 0));
  return {
    trinoWorst7dP95Ms: worst(' 7d'),
    trinoWorst24hP95Ms: worst(' 24h'),
    trinoTarget: '7d < 1000 ms, 24h < 500 ms p95, first call < 3 s',
  };
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
