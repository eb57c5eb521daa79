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
import { loadavg } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { QueryService } from '../../workers/query/app/query-service.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import type { QueryEngine } from '../../workers/query/app/query-engine.js';
import { ResultCachingEngine } from '../../workers/query/app/result-cache.js';
import { ensureDataset } from './query-dataset.js';
import { startTrinoTarget, type TrinoTarget } from './trino-target.js';
import { floorSql } from './query-floor.js';
import {
  benchDataset,
  benchEnd,
  benchNow,
  benchTenant,
  dashboardCalls,
  datasetRoot,
  type DashboardCall,
} from './dashboard-calls.js';

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
/** Trino and its result cache only: no DuckDB or floor runs (A/B runs of Trino settings on a loaded machine). */
const trinoOnly = process.argv.includes('--trino-only');
/**
 * Trino with and without the day-hours tiles, iterations interleaved on the same Trino and data (docs/adr/0075):
 * on a shared machine only an interleaved A/B tells a change from the load.
 */
const abHourTiles = process.argv.includes('--ab-hour-tiles');
if (abHourTiles && engineName !== 'trino') throw new Error('--ab-hour-tiles needs --engine trino');
if (trinoOnly && engineName !== 'trino') throw new Error('--trino-only needs --engine trino');
const root = datasetRoot(density);
const tenant = benchTenant;
const now = benchNow;
const calls = dashboardCalls;

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
  const dataset = ensureDataset({ root, tenant, end: benchEnd, ...benchDataset, density });
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
    type Timing = { p50Ms: number; p95Ms: number };
    const results: {
      call: string;
      gravix?: Timing;
      floor?: Timing;
      ratioP95?: number;
      trino?: Timing;
      trinoWithoutHourTiles?: Timing;
      refresh: Timing;
    }[] = [];
    for (const call of calls) {
      const onDuckDb = trinoOnly ? undefined : await measureDuckDb(call, service, floorDb);
      const onTrino = trinoService && (await measureTrino(call, trino, trinoService));
      const refresh = await measure(() => call.gravix(refreshing));
      results.push({ call: call.name, ...onDuckDb, ...onTrino, refresh });
      // Each call's figures as soon as they exist, with the load beside them: a run cut short still reports.
      process.stderr.write(`${JSON.stringify({ ...results.at(-1), load: loadAverage() })}\n`);
    }
    const duckDbResults = results.flatMap((r) =>
      r.gravix && r.ratioP95 !== undefined
        ? [{ call: r.call, p95Ms: r.gravix.p95Ms, ratioP95: r.ratioP95 }]
        : [],
    );
    const worst = duckDbResults.reduce<(typeof duckDbResults)[number] | undefined>(
      (a, b) => (a === undefined || b.p95Ms > a.p95Ms ? b : a),
      undefined,
    );
    const summary = {
      bench: 'query',
      engine: engineName,
      dataset: {
        ...benchDataset,
        density,
        rows: dataset.rows,
        reused: dataset.reused,
        generateSeconds,
      },
      iterations,
      loadAverageAtEnd: loadAverage(),
      ...(trino && {
        trinoStart: { ...first, startSeconds: trino.startSeconds, openSeconds: trino.openSeconds },
      }),
      results,
      targets: {
        ...(worst && {
          worstP95Ms: worst.p95Ms,
          worstCall: worst.call,
          target: '< 300 ms p95 and <= 1.5x the floor',
          worstRatio: Math.max(...duckDbResults.map((r) => r.ratioP95)),
        }),
        ...(trino && trinoTargets(results)),
      },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await trino?.stop();
  }
}

const loadAverage = () => loadavg().map((l) => Number(l.toFixed(1)));

/** The call on Trino; with --ab-hour-tiles also without the day-hours tiles, iterations alternating. */
async function measureTrino(call: DashboardCall, trino: TrinoTarget | undefined, service: QueryService) {
  if (!abHourTiles || !trino) return { trino: await measure(() => call.gravix(service)) };
  const times = { with: [] as number[], without: [] as number[] };
  for (let i = -1; i < iterations; i++) {
    for (const variant of i % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      trino.useHourTiles(variant === 'with');
      const started = performance.now();
      await call.gravix(service);
      if (i >= 0) times[variant].push(performance.now() - started);
    }
  }
  trino.useHourTiles(true);
  const stats = (t: number[]) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { p50Ms: Number(pct(sorted, 0.5).toFixed(1)), p95Ms: Number(pct(sorted, 0.95).toFixed(1)) };
  };
  return { trino: stats(times.with), trinoWithoutHourTiles: stats(times.without) };
}

/** The call on DuckDB beside its hand-written floor statements. */
async function measureDuckDb(call: DashboardCall, service: QueryService, floorDb: DuckDBConnection) {
  const gravix = await measure(() => call.gravix(service));
  // The service runs a call's queries concurrently; so does the floor.
  const floor = await measure(() =>
    Promise.all(call.floors.map((f) => floorDb.runAndReadAll(floorSql(root, tenant, f)))),
  );
  return { gravix, floor, ratioP95: Number((gravix.p95Ms / floor.p95Ms).toFixed(2)) };
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
