/**
 * The 7-day service map (issue #21 item 1, docs/adr/0104): GET /api/v1/service-map through QueryService over 7
 * days of edges (20 callers x 4 callees), with the edge tiles and without them (what the code before read: 168 hour
 * files), iterations interleaved on the same engine and files. DuckDB: the process CPU time of each call (DuckDB's
 * threads are this process's) beside a floor, hand-written DuckDB SQL summing the calls per edge over the tiled
 * plan's files. With --engine trino also Trino over MinIO: Trino's summed statement CPU, splits and rows read, and
 * the S3 requests per call. CPU time, splits and requests barely move with the machine's load; wall times do.
 * Usage: bench/query/run.sh service-map [--engine duckdb|trino --iterations 9]
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbQueryEngine } from '../../workers/query/adapters/duckdb-query-engine.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { QueryService } from '../../workers/query/app/query-service.js';
import { buildTableFilesGlob } from '../../workers/domain/metrics-layout.js';
import { benchEnd, benchNow, benchTenant } from './dashboard-calls.js';
import { ensureEdgeDataset } from './edge-dataset.js';
import { startTrinoTarget, type TrinoTarget } from './trino-target.js';
import { parseTrinoDuration, queryIds, trinoGet } from './trino-query-info.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const engineName = arg('engine') ?? 'duckdb';
const iterations = Number(arg('iterations') ?? 9);
const tenant = benchTenant;
const range = { tenant, from: benchNow - 7 * 86_400_000, to: benchNow, limit: 100 };
const root = join(tmpdir(), 'gravix-bench-service-map-v2');
/** The same files without the edge tiles: plans read the 168 hour files (and the ragged ends' minutes). */
const untiledRoot = `${root}-untiled`;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(run: () => Promise<unknown>) {
  const [wall0, cpu0] = [performance.now(), cpuMs()];
  await run();
  return { wallMs: performance.now() - wall0, cpuMs: cpuMs() - cpu0 };
}

/** Counts per edge over the tiled plan's files in one hand-written statement: what reading them costs at least. */
async function floorStatement(): Promise<() => Promise<unknown>> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = (table: Parameters<typeof buildTableFilesGlob>[0]) =>
    join(root, buildTableFilesGlob(table, tenant));
  const sql = `SELECT caller, callee, sum(requests) AS requests, sum(errors_5xx) AS errors FROM (
      SELECT caller, callee, requests, errors_5xx FROM read_parquet('${glob('service_edges_day_hours')}')
      UNION ALL SELECT caller, callee, requests, errors_5xx FROM read_parquet('${glob('service_edges_open_day_hours')}')
      UNION ALL SELECT caller, callee, requests, errors_5xx FROM read_parquet('${glob('service_edges_minute')}', hive_partitioning = true)
        WHERE minute_ms >= ${range.from} AND minute_ms < ${range.to}
          AND (minute_ms < ${Math.ceil(range.from / 3_600_000) * 3_600_000} OR minute_ms >= ${Math.floor(range.to / 3_600_000) * 3_600_000})
    ) GROUP BY caller, callee ORDER BY requests DESC LIMIT ${range.limit}`;
  return () => db.runAndReadAll(sql);
}

async function duckdbAb() {
  const open = async (dir: string) => {
    const manifests = new RollupManifests(new LocalObjectStore(dir));
    return new QueryService(await DuckDbQueryEngine.open(dir, undefined, manifests), manifests);
  };
  const services = { tiles: await open(root), hours: await open(untiledRoot) };
  const floor = await floorStatement();
  type Run = { wallMs: number; cpuMs: number };
  const runs: Record<'tiles' | 'hours' | 'floor', Run[]> = { tiles: [], hours: [], floor: [] };
  const [a, b] = [await services.tiles.serviceMap(range), await services.hours.serviceMap(range)];
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the tiled and untiled answers differ');
  await floor();
  for (let i = 0; i < iterations; i++) {
    runs.tiles.push(await measure(() => services.tiles.serviceMap(range)));
    runs.hours.push(await measure(() => services.hours.serviceMap(range)));
    runs.floor.push(await measure(floor));
  }
  const summary = (r: Run[]) => ({
    cpuMsP50: Number(median(r.map((x) => x.cpuMs)).toFixed(1)),
    wallMsP50: Number(median(r.map((x) => x.wallMs)).toFixed(1)),
  });
  return {
    edges: a.edges.length,
    withTiles: summary(runs.tiles),
    withoutTiles: summary(runs.hours),
    floor: summary(runs.floor),
  };
}

/** One call on Trino: its statements' summed CPU, splits and rows read (Trino's own figures), and S3 requests. */
async function trinoCall(trino: TrinoTarget, service: QueryService) {
  const before = await queryIds(trino);
  trino.s3Requests?.reset();
  const { wallMs } = await measure(() => service.serviceMap(range));
  const s3 = Object.values(trino.s3Requests?.counts() ?? {}).reduce((n, c) => n + c, 0);
  const ids = [...(await queryIds(trino))].filter((id) => !before.has(id));
  const stats = await Promise.all(
    ids.map(
      async (id) =>
        ((await trinoGet(`${trino.url}/v1/query/${id}`)) as { queryStats: Record<string, unknown> })
          .queryStats,
    ),
  );
  return {
    wallMs,
    cpuMs: stats.reduce((n, s) => n + parseTrinoDuration(s['totalCpuTime']), 0),
    splits: stats.reduce((n, s) => n + Number(s['totalDrivers'] ?? 0), 0),
    inputRows: stats.reduce((n, s) => n + Number(s['physicalInputPositions'] ?? 0), 0),
    s3Requests: s3,
  };
}

async function trinoAb() {
  const trino = await startTrinoTarget(root, { countS3: true });
  try {
    const service = new QueryService(trino.engine, trino.manifests);
    const useTiles = (on: boolean) => {
      trino.useHourTiles(on);
      trino.useOpenDayTiles(on);
    };
    await service.serviceMap(range);
    const runs = {
      tiles: [] as Awaited<ReturnType<typeof trinoCall>>[],
      hours: [] as Awaited<ReturnType<typeof trinoCall>>[],
    };
    for (let i = 0; i < iterations; i++) {
      useTiles(true);
      runs.tiles.push(await trinoCall(trino, service));
      useTiles(false);
      runs.hours.push(await trinoCall(trino, service));
      process.stderr.write(
        `${JSON.stringify({ i, tiles: runs.tiles.at(-1), hours: runs.hours.at(-1), load: loadavg() })}\n`,
      );
    }
    const summary = (r: typeof runs.tiles) => ({
      cpuMsP50: Number(median(r.map((x) => x.cpuMs)).toFixed(1)),
      splits: median(r.map((x) => x.splits)),
      inputRows: median(r.map((x) => x.inputRows)),
      s3Requests: median(r.map((x) => x.s3Requests)),
      wallMsP50: Number(median(r.map((x) => x.wallMs)).toFixed(0)),
    });
    return { withTiles: summary(runs.tiles), withoutTiles: summary(runs.hours) };
  } finally {
    await trino.stop();
  }
}

async function main(): Promise<void> {
  const options = {
    tenant,
    end: benchEnd,
    days: 7,
    callers: 20,
    calleesPerCaller: 4,
    density: 0.5,
    openDayHours: 23,
  };
  const started = performance.now();
  const dataset = await ensureEdgeDataset({ root, ...options });
  rmSync(untiledRoot, { recursive: true, force: true });
  execFileSync('cp', ['-al', root, untiledRoot]);
  for (const table of ['service_edges_day_hours', 'service_edges_open_day_hours'])
    rmSync(join(untiledRoot, 'metrics', table), { recursive: true, force: true });
  const generateSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const duckdb = await duckdbAb();
  const trino = engineName === 'trino' ? await trinoAb() : undefined;
  const result = {
    bench: 'service-map-7d',
    dataset: { ...options, ...dataset, generateSeconds },
    range: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    iterations,
    duckdb,
    ...(trino && { trino }),
    uptime: [uptimeBefore, execFileSync('uptime', { encoding: 'utf8' }).trim()],
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
