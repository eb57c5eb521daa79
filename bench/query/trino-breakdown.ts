/**
 * Where a Trino dashboard call's time goes (issue #18 item 1): every call of the query bench runs through
 * QueryService on a real Trino (the JVM flags and catalog a pipeline deploys) over a real MinIO, and for each
 * statement it sent, Trino's own query info gives queued, analysis, planning, execution and finishing time,
 * the optimizer rules that took longest, and how many splits ran; a counting proxy in front of MinIO
 * (s3-request-counter.ts) gives the S3 requests by operation and table. Medians over --runs runs after a warm-up.
 * Usage: bench/query/run.sh breakdown [--density 0.25 --runs 3 --calls "services 7d,endpoints 24h"]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { QueryService } from '../../workers/query/app/query-service.js';
import { ResultCachingEngine } from '../../workers/query/app/result-cache.js';
import { ensureDataset } from './query-dataset.js';
import { startTrinoTarget, type TrinoTarget } from './trino-target.js';
import { parseTrinoDataSize, parseTrinoDuration, queryIds, trinoGet } from './trino-query-info.js';
import {
  benchDataset,
  benchEnd,
  benchNow,
  benchTenant,
  dashboardCalls,
  datasetRoot,
} from './dashboard-calls.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const density = Number(arg('density') ?? 0.25);
const runs = Number(arg('runs') ?? 3);
const only = arg('calls')?.split(',');
/** Each run also without the day-hours tiles, interleaved (the A/B of docs/adr/0075). */
const abHourTiles = process.argv.includes('--ab-hour-tiles');
/** Each run also without the open-hour tiles, interleaved (the A/B of docs/adr/0123). */
const abOpenHourTiles = process.argv.includes('--ab-open-hour-tiles');

interface StatementTimes {
  elapsedMs: number;
  queuedMs: number;
  analysisMs: number;
  planningMs: number;
  executionMs: number;
  finishingMs: number;
  scheduledMs: number;
  cpuMs: number;
  planningCpuMs: number;
  blockedMs: number;
  physicalReadMs: number;
  splits: number;
  /** Rows and bytes the scans read from the files (Trino's physical input). */
  inputRows: number;
  inputBytes: number;
  slowestRules: string[];
  /** The operators that took most CPU (what EXPLAIN ANALYZE shows per plan node), summed over the drivers. */
  costliestOperators: string[];
  sql: string;
}

const fields = {
  elapsedMs: 'elapsedTime',
  queuedMs: 'queuedTime',
  analysisMs: 'analysisTime',
  planningMs: 'planningTime',
  executionMs: 'executionTime',
  finishingMs: 'finishingTime',
  scheduledMs: 'totalScheduledTime',
  cpuMs: 'totalCpuTime',
  planningCpuMs: 'planningCpuTime',
  blockedMs: 'totalBlockedTime',
  physicalReadMs: 'physicalInputReadTime',
} as const;

interface OperatorSummary {
  operatorType: string;
  addInputCpu?: string;
  getOutputCpu?: string;
  finishCpu?: string;
  inputPositions?: number;
}

/** "ScanFilterAndProjectOperator 412ms 4540 rows": CPU of an operator type over every driver of the statement. */
function costliestOperators(summaries: readonly OperatorSummary[]): string[] {
  const byType = new Map<string, { cpuMs: number; rows: number }>();
  for (const o of summaries) {
    const cpuMs = [o.addInputCpu, o.getOutputCpu, o.finishCpu].reduce(
      (a, d) => a + (parseTrinoDuration(d) || 0),
      0,
    );
    const seen = byType.get(o.operatorType) ?? { cpuMs: 0, rows: 0 };
    byType.set(o.operatorType, { cpuMs: seen.cpuMs + cpuMs, rows: seen.rows + (o.inputPositions ?? 0) });
  }
  return [...byType]
    .sort((a, b) => b[1].cpuMs - a[1].cpuMs)
    .slice(0, 4)
    .map(([type, o]) => `${type} ${o.cpuMs.toFixed(0)}ms ${o.rows} rows`);
}

async function statementTimes(trino: TrinoTarget, id: string): Promise<StatementTimes> {
  const info = (await trinoGet(`${trino.url}/v1/query/${id}`)) as {
    query: string;
    queryStats: Record<string, unknown> & {
      totalDrivers?: number;
      optimizerRulesSummaries?: { rule: string; totalTime: number }[];
      operatorSummaries?: OperatorSummary[];
      physicalInputPositions?: number;
    };
  };
  const stats = info.queryStats;
  const times = Object.fromEntries(
    Object.entries(fields).map(([name, field]) => [
      name,
      Number(parseTrinoDuration(stats[field]).toFixed(1)),
    ]),
  ) as Record<keyof typeof fields, number>;
  const rules = [...(stats.optimizerRulesSummaries ?? [])]
    .sort((a, b) => b.totalTime - a.totalTime)
    .slice(0, 3)
    .map((r) => `${r.rule.split('.').at(-1)} ${(r.totalTime / 1e6).toFixed(0)}ms`);
  return {
    ...times,
    splits: stats.totalDrivers ?? 0,
    inputRows: stats.physicalInputPositions ?? 0,
    inputBytes: parseTrinoDataSize(stats['physicalInputDataSize']),
    slowestRules: rules,
    costliestOperators: costliestOperators(stats.operatorSummaries ?? []),
    sql: info.query.slice(0, 80),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** One call: its wall time, each statement's Trino timings, and the S3 requests it caused. */
async function measureCall(
  trino: TrinoTarget,
  run: (s: QueryService) => Promise<unknown>,
  service = new QueryService(trino.engine, trino.manifests),
) {
  const before = await queryIds(trino);
  trino.s3Requests?.reset();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  await run(service);
  const wallMs = Number((performance.now() - started).toFixed(1));
  const s3 = trino.s3Requests?.counts() ?? {};
  const ids = [...(await queryIds(trino))].filter((id) => !before.has(id));
  const statements = await Promise.all(ids.map((id) => statementTimes(trino, id)));
  return { wallMs, startedAt, statements, s3 };
}

type Measured = Awaited<ReturnType<typeof measureCall>>;

/** Medians over runs of the call's wall time, of the per-statement sums, and of the S3 requests per kind. */
function summarise(name: string, measured: Measured[]) {
  const sum = (m: Measured, key: keyof typeof fields) => m.statements.reduce((a, s) => a + s[key], 0);
  const sums = Object.fromEntries(
    Object.keys(fields).map((key) => [
      key,
      Number(median(measured.map((m) => sum(m, key as keyof typeof fields))).toFixed(1)),
    ]),
  );
  const kinds = new Set(measured.flatMap((m) => Object.keys(m.s3)));
  const s3 = Object.fromEntries([...kinds].sort().map((k) => [k, median(measured.map((m) => m.s3[k] ?? 0))]));
  const last = measured.at(-1)!;
  const slowest = measured.reduce((a, b) => (b.wallMs > a.wallMs ? b : a));
  return {
    call: name,
    wallMs: median(measured.map((m) => m.wallMs)),
    // A tail sample is what misses a p95 target: where the slowest run's time went, beside the medians.
    slowestRun: {
      wallMs: slowest.wallMs,
      startedAt: slowest.startedAt,
      // Times only: the rules and operators of a run are in lastRun.
      statements: slowest.statements.map((s) => ({
        ...Object.fromEntries(Object.keys(fields).map((key) => [key, s[key as keyof typeof fields]])),
        splits: s.splits,
        sql: s.sql.slice(0, 40),
      })),
    },
    statements: last.statements.length,
    statementSums: sums,
    s3Requests: s3,
    s3Total: Object.values(s3).reduce((a, b) => a + b, 0),
    lastRun: last.statements,
  };
}

/**
 * --runs runs of a call; with --ab-hour-tiles (--ab-open-hour-tiles) each run is paired with one without the
 * day-hours (open-hour) tiles, the pair's order alternating.
 */
async function measureRuns(trino: TrinoTarget, run: (s: QueryService) => Promise<unknown>) {
  const measured: Measured[] = [];
  const without: Measured[] = [];
  // The same call on the same Trino and data, reading hours where it read day-hours tiles (docs/adr/0075), or
  // minute rows where it read the open hour's tile (docs/adr/0123).
  const use = abHourTiles ? trino.useHourTiles : abOpenHourTiles ? trino.useOpenHourTiles : undefined;
  for (let i = 0; i < runs; i++) {
    for (const on of use && i % 2 === 1 ? [false, true] : [true, false]) {
      if (!on && !use) continue;
      use?.(on);
      (on ? measured : without).push(await measureCall(trino, run));
    }
    use?.(true);
  }
  return { measured, without };
}

/**
 * One line per call: wall time, Trino's summed statement times and splits, S3 requests; with and without tiles
 * (withoutHourTiles: the tiles the A/B flag names, day-hours or open-hour).
 */
function brief(r: ReturnType<typeof summarise> & { withoutHourTiles?: ReturnType<typeof summarise> }) {
  const line = (m: ReturnType<typeof summarise>) => ({
    wallMs: m.wallMs,
    slowestWallMs: m.slowestRun.wallMs,
    statements: m.statements,
    splits: m.lastRun.reduce((a, s) => a + s.splits, 0),
    inputRows: m.lastRun.reduce((a, s) => a + s.inputRows, 0),
    inputBytes: m.lastRun.reduce((a, s) => a + s.inputBytes, 0),
    ...m.statementSums,
    s3Total: m.s3Total,
  });
  return {
    call: r.call,
    ...line(r),
    ...(r.withoutHourTiles && { withoutHourTiles: line(r.withoutHourTiles) }),
  };
}

async function main(): Promise<void> {
  const root = datasetRoot(density);
  await ensureDataset({ root, tenant: benchTenant, end: benchEnd, ...benchDataset, density });
  const trino = await startTrinoTarget(root, { countS3: true });
  try {
    const first = await measureCall(trino, dashboardCalls[0]!.gravix);
    const results = [];
    for (const call of dashboardCalls.filter((c) => !only || only.includes(c.name))) {
      await call.gravix(new QueryService(trino.engine, trino.manifests));
      const { measured, without } = await measureRuns(trino, call.gravix);
      // An auto-refresh: the same call through the result cache after a first load (and the closed range it
      // started to keep, docs/adr/0148), with the bench's "now" so the dataset's last hour is the open one.
      const cache = new ResultCachingEngine(trino.engine, trino.manifests, {
        maxBytes: 64 * 2 ** 20,
        now: () => benchNow,
      });
      const refreshing = new QueryService(cache, trino.manifests);
      await call.gravix(refreshing);
      await cache.settled();
      const refresh = summarise(call.name, [await measureCall(trino, call.gravix, refreshing)]);
      results.push({
        ...summarise(call.name, measured),
        ...((abHourTiles || abOpenHourTiles) && { withoutHourTiles: summarise(call.name, without) }),
        refresh: { wallMs: refresh.wallMs, statements: refresh.lastRun, s3Total: refresh.s3Total },
      });
      // As soon as a call is measured, with the load: a run cut short still reports.
      process.stderr.write(`${JSON.stringify({ ...brief(results.at(-1)!), load: loadavg() })}\n`);
    }
    const summary = {
      bench: 'query-trino-breakdown',
      uptime: execFileSync('uptime', { encoding: 'utf8' }).trim(),
      runs,
      trinoStart: { startSeconds: trino.startSeconds, openSeconds: trino.openSeconds },
      firstCall: summarise(dashboardCalls[0]!.name, [first]),
      results,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await trino.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
