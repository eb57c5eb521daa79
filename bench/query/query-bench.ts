/**
 * bench/query: p50/p95 of the dashboard's calls over 7 days x 20 services x 50 paths, through Gravix's
 * QueryService on DuckDB, beside hand-written DuckDB SQL doing the same aggregation on the same files.
 * The calls are the ones the dashboard makes (its own range and step logic, dashboards/web/src/domain/
 * time-range.ts) for the 7-day and 24-hour views: overview, a service selected, an endpoint drilled into with a
 * day-over-day or week-over-week overlay.
 * With --engine trino the same calls also run through Trino over MinIO (startTrinoTarget: the JVM flags and catalog
 * a pipeline deploys), printed beside DuckDB's, with the seconds of the first call after Trino started.
 * Every timing carries the process CPU time of the call (process.cpuUsage: DuckDB runs in this process, so its
 * threads count too), which a loaded shared machine inflates far less than wall time.
 * With --baseline <dir> (the bench compiled from another commit, e.g. a copy of dist/bench-query) each DuckDB call
 * also runs through that build's QueryService and engine, iterations interleaved with this build's on the same
 * files: the A/B of a query change on a loaded machine. --baseline-root <dir> points the baseline at another
 * dataset directory (a layout change).
 * With --ab-histogram-merge each Trino call also runs through an engine that merges histograms in plain SQL, on the
 * same Trino, iterations interleaved (trinoSqlMerge: docs/adr/0146).
 * Usage: npm run bench:query [-- --engine duckdb|trino --density 0.25 --iterations 15 --baseline <dir>
 *        --calls "services 7d,endpoints 24h" --trino-only --ab-histogram-merge]
 */
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const baselineArg = process.argv.indexOf('--baseline');
const baselineDir = baselineArg > 0 ? process.argv[baselineArg + 1] : undefined;
/**
 * --baseline-root <dataset dir>: the baseline reads another dataset (e.g. an older dataset version's directory),
 * so a change of the files' layout is measured the same way as a change of the code; without --baseline it runs
 * this build over that dataset.
 */
const baselineRootArg = process.argv.indexOf('--baseline-root');
const baselineRoot = baselineRootArg > 0 ? process.argv[baselineRootArg + 1] : undefined;
const iterations = arg('iterations', 15);
/** Trino and its result cache only: no DuckDB or floor runs (A/B runs of Trino settings on a loaded machine). */
const trinoOnly = process.argv.includes('--trino-only');
/**
 * Trino with and without the day-hours tiles, iterations interleaved on the same Trino and data (docs/adr/0075):
 * on a shared machine only an interleaved A/B tells a change from the load.
 */
const abHourTiles = process.argv.includes('--ab-hour-tiles');
if (abHourTiles && engineName !== 'trino') throw new Error('--ab-hour-tiles needs --engine trino');
/** The same with and without the open-hour tiles (docs/adr/0123). */
const abOpenHourTiles = process.argv.includes('--ab-open-hour-tiles');
if (abOpenHourTiles && (engineName !== 'trino' || abHourTiles))
  throw new Error('--ab-open-hour-tiles needs --engine trino and no --ab-hour-tiles');
/** Trino with Gravix's histogram-merge function and with plain SQL, interleaved on one Trino (docs/adr/0146). */
const abHistogramMerge = process.argv.includes('--ab-histogram-merge');
if (abHistogramMerge && (engineName !== 'trino' || abHourTiles || abOpenHourTiles))
  throw new Error('--ab-histogram-merge needs --engine trino and no other --ab-* flag');
if (trinoOnly && engineName !== 'trino') throw new Error('--trino-only needs --engine trino');
const root = datasetRoot(density);
const tenant = benchTenant;
const now = benchNow;
/** --calls "services 7d,endpoints 24h": only these calls (an A/B of one change). */
const onlyCalls = process.argv.includes('--calls')
  ? process.argv[process.argv.indexOf('--calls') + 1]!.split(',')
  : undefined;
const calls = dashboardCalls.filter((c) => !onlyCalls || onlyCalls.includes(c.name));

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

type Timing = { p50Ms: number; p95Ms: number; cpuP50Ms: number; cpuP95Ms: number };
type Sample = { wallMs: number; cpuMs: number };

async function sample(run: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function timing(samples: readonly Sample[]): Timing {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  const round = (n: number) => Number(n.toFixed(1));
  return {
    p50Ms: round(pct(wall, 0.5)),
    p95Ms: round(pct(wall, 0.95)),
    cpuP50Ms: round(pct(cpu, 0.5)),
    cpuP95Ms: round(pct(cpu, 0.95)),
  };
}

async function measure(run: () => Promise<unknown>): Promise<Timing> {
  await run();
  const samples: Sample[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await sample(run));
  return timing(samples);
}

/** Two variants of a call, iterations alternating (ABBA), so load changes hit both alike. */
async function measureInterleaved(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[Timing, Timing]> {
  await a();
  await b();
  const samples: [Sample[], Sample[]] = [[], []];
  for (let i = 0; i < iterations; i++) {
    const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const which of order) samples[which].push(await sample(which === 0 ? a : b));
  }
  return [timing(samples[0]), timing(samples[1])];
}

interface CallResult {
  call: string;
  gravix?: Timing;
  baseline?: Timing;
  floor?: Timing;
  ratioP95?: number;
  // Trino's CPU is spent in its JVM, not in this process: wall times only.
  trino?: Pick<Timing, 'p50Ms' | 'p95Ms'>;
  trinoWithoutHourTiles?: Pick<Timing, 'p50Ms' | 'p95Ms'>;
  trinoWithoutOpenHourTiles?: Pick<Timing, 'p50Ms' | 'p95Ms'>;
  trinoSqlMerge?: Timing;
  refresh: Timing;
  /** The same call through a result cache that keeps nothing yet: what the query server pays for a first view. */
  firstView: Timing;
}

/** Each call on DuckDB (and its baseline and floor), on Trino when started, and through the result cache. */
async function measureCalls(
  duckdb: { service: QueryService; caching: () => CachedService; baseline?: QueryService },
  trino:
    | { target: TrinoTarget; service: QueryService; caching: () => CachedService; sqlMerge?: QueryService }
    | undefined,
): Promise<CallResult[]> {
  const floorDb = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  const results: CallResult[] = [];
  for (const call of calls) {
    const onDuckDb = trinoOnly
      ? undefined
      : await measureDuckDb(call, duckdb.service, floorDb, duckdb.baseline);
    const onTrino = trino && (await measureTrino(call, trino.target, trino.service, trino.sqlMerge));
    const caching = trino?.caching ?? duckdb.caching;
    const firstView = await measureFirstView(call, caching);
    // What an auto-refreshing dashboard costs: the same call through the result cache after a first load (and
    // the closed range that load started to keep, docs/adr/0148).
    const refreshing = caching();
    await call.gravix(refreshing.service);
    await refreshing.cache.settled();
    const refresh = await measure(() => call.gravix(refreshing.service));
    results.push({ call: call.name, ...onDuckDb, ...onTrino, refresh, firstView });
    // Each call's figures as soon as they exist, with the load beside them: a run cut short still reports.
    process.stderr.write(`${JSON.stringify({ ...results.at(-1), load: loadAverage() })}\n`);
  }
  return results;
}

async function main(): Promise<void> {
  const generated = performance.now();
  const dataset = await ensureDataset({ root, tenant, end: benchEnd, ...benchDataset, density });
  const generateSeconds = Number(((performance.now() - generated) / 1000).toFixed(1));
  const manifests = new RollupManifests(new LocalObjectStore(root));
  const duckdb = await DuckDbQueryEngine.open(root, undefined, manifests);
  const baseline =
    baselineDir || baselineRoot ? await openBaseline(baselineDir, baselineRoot ?? root) : undefined;
  const trino = engineName === 'trino' ? await startTrinoTarget(root) : undefined;
  try {
    const first = trino ? await firstCall(trino) : undefined;
    const results = await measureCalls(
      {
        service: new QueryService(duckdb, manifests),
        caching: () => cachedService(duckdb, manifests),
        baseline: baseline?.service,
      },
      trino && (await trinoServices(trino)),
    );
    const summary = {
      bench: 'query',
      engine: engineName,
      dataset: { ...benchDataset, density, rows: dataset.rows, reused: dataset.reused, generateSeconds },
      iterations,
      loadAverageAtEnd: loadAverage(),
      ...(trino && {
        trinoStart: {
          ...first,
          startSeconds: trino.startSeconds,
          openSeconds: trino.openSeconds,
          histogramMerge: trino.engine.histogramMerge,
        },
      }),
      results,
      targets: { ...duckDbTargets(results), ...(trino && trinoTargets(results)) },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await trino?.stop();
    await baseline?.engine.close();
  }
}

/** The Trino services the calls run through; with --ab-histogram-merge also one merging in plain SQL. */
async function trinoServices(trino: TrinoTarget) {
  return {
    target: trino,
    service: new QueryService(trino.engine, trino.manifests),
    caching: () => cachedService(trino.engine, trino.manifests),
    ...(abHistogramMerge && {
      sqlMerge: new QueryService(await trino.openSqlMergeEngine(), trino.manifests),
    }),
  };
}

/** The QueryService and DuckDB engine of another build (--baseline, else this one) over `files`. */
async function openBaseline(
  dir: string | undefined,
  files: string,
): Promise<{ service: QueryService; engine: QueryEngine }> {
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const load = async <T>(module: string) => (await import(resolve(dir ?? here, module))) as T;
  const [store, engines, services, readers] = await Promise.all([
    load<typeof import('../../workers/adapters/object-store/local-object-store.js')>(
      'workers/adapters/object-store/local-object-store.js',
    ),
    load<typeof import('../../workers/query/adapters/duckdb-query-engine.js')>(
      'workers/query/adapters/duckdb-query-engine.js',
    ),
    load<typeof import('../../workers/query/app/query-service.js')>('workers/query/app/query-service.js'),
    load<typeof import('../../workers/query/adapters/rollup-manifests.js')>(
      'workers/query/adapters/rollup-manifests.js',
    ),
  ]);
  const manifests = new readers.RollupManifests(new store.LocalObjectStore(files));
  const engine = await engines.DuckDbQueryEngine.open(files, undefined, manifests);
  return { service: new services.QueryService(engine, manifests), engine };
}

const loadAverage = () => loadavg().map((l) => Number(l.toFixed(1)));

/**
 * The call on Trino; with --ab-hour-tiles also without the day-hours tiles, with --ab-open-hour-tiles without the
 * open-hour tiles, iterations alternating.
 */
async function measureTrino(
  call: DashboardCall,
  trino: TrinoTarget | undefined,
  service: QueryService,
  sqlMergeService?: QueryService,
) {
  if (sqlMergeService) {
    const [native, sql] = await measureInterleaved(
      () => call.gravix(service),
      () => call.gravix(sqlMergeService),
    );
    return { trino: native, trinoSqlMerge: sql };
  }
  const use = abHourTiles ? trino?.useHourTiles : abOpenHourTiles ? trino?.useOpenHourTiles : undefined;
  if (!use) return { trino: await measure(() => call.gravix(service)) };
  const times = { with: [] as number[], without: [] as number[] };
  for (let i = -1; i < iterations; i++) {
    for (const variant of i % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      use(variant === 'with');
      const started = performance.now();
      await call.gravix(service);
      if (i >= 0) times[variant].push(performance.now() - started);
    }
  }
  use(true);
  const stats = (t: number[]) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { p50Ms: Number(pct(sorted, 0.5).toFixed(1)), p95Ms: Number(pct(sorted, 0.95).toFixed(1)) };
  };
  const without = abHourTiles ? 'trinoWithoutHourTiles' : 'trinoWithoutOpenHourTiles';
  return { trino: stats(times.with), [without]: stats(times.without) };
}

/** The call on DuckDB beside its hand-written floor statements (and the baseline build's, interleaved). */
async function measureDuckDb(
  call: DashboardCall,
  service: QueryService,
  floorDb: DuckDBConnection,
  baselineService?: QueryService,
) {
  const [gravix, baseline] = baselineService
    ? await measureInterleaved(
        () => call.gravix(service),
        () => call.gravix(baselineService),
      )
    : [await measure(() => call.gravix(service)), undefined];
  // The service runs a call's queries concurrently; so does the floor.
  const floor = await measure(() =>
    Promise.all(call.floors.map((f) => floorDb.runAndReadAll(floorSql(root, tenant, f)))),
  );
  return {
    gravix,
    ...(baseline && { baseline }),
    floor,
    ratioP95: Number((gravix.p95Ms / floor.p95Ms).toFixed(2)),
  };
}

/** A QueryService behind the result cache, with the bench's "now" so its last hour is the open one. */
interface CachedService {
  service: QueryService;
  cache: ResultCachingEngine;
}

/** A query service behind a result cache of its own, as the query server runs it, with the bench's "now". */
function cachedService(engine: QueryEngine, manifests: RollupManifests): CachedService {
  const cache = new ResultCachingEngine(engine, manifests, {
    maxBytes: 64 * 2 ** 20,
    now: () => now,
  });
  return { service: new QueryService(cache, manifests), cache };
}

/**
 * A first view: each sample through a new cache, timed to the answer; the closed range that cache then loads is
 * waited for outside the sample, so it does not run under the next one.
 */
async function measureFirstView(call: DashboardCall, caching: () => CachedService): Promise<Timing> {
  const samples: Sample[] = [];
  for (let i = 0; i <= iterations; i++) {
    const { service, cache } = caching();
    const taken = await sample(() => call.gravix(service));
    if (i > 0) samples.push(taken);
    await cache.settled();
  }
  return timing(samples);
}

/** The first dashboard call after Trino started and the tables exist (cold JIT, cold caches). */
async function firstCall(trino: TrinoTarget): Promise<{ firstCallSeconds: number }> {
  const started = performance.now();
  await calls[0]!.gravix(new QueryService(trino.engine, trino.manifests));
  return { firstCallSeconds: Number(((performance.now() - started) / 1000).toFixed(2)) };
}

/** Issue #18's embedded target: every call < 200 ms p95 (the floor beside it tells the machine's state). */
function duckDbTargets(results: { call: string; gravix?: Timing; ratioP95?: number }[]) {
  const measured = results.flatMap((r) =>
    r.gravix && r.ratioP95 !== undefined
      ? [{ call: r.call, p95Ms: r.gravix.p95Ms, ratioP95: r.ratioP95 }]
      : [],
  );
  if (measured.length === 0) return {};
  const worst = measured.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
  return {
    worstP95Ms: worst.p95Ms,
    worstCall: worst.call,
    target: '< 200 ms p95 (issue #18)',
    worstRatio: Math.max(...measured.map((r) => r.ratioP95)),
  };
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
