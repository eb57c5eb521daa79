/**
 * bench/demo: resident memory of `gravix dev --demo` (the built CLI, what `npm start` runs) with the dashboard open
 * (its 1-hour view's calls every 15 s, as its auto-refresh makes them), beside floors measured in the same run:
 * a bare `node` that has loaded the same modules (the dev command, DuckDB, parquet-wasm) and does nothing, and
 * `gravix dev` without --demo, idle. All run at the same time on their own data directories.
 * Two modes:
 * - live (default): --minutes of the live demo; a third process runs it with the embedded defaults before issue
 *   #18 (a rollup scan thread every pass, DuckDB's 1GB buffer pool), compared under the same load.
 * - --history 8d: `gravix dev --demo --history 8d`, measured from start until the back-dated week is sent and
 *   rolled up (the services API counts >= 98% of the facts the backfill reports; client retries count once) and
 *   one more minute, or --minutes at most (then `historyDone` is false). --env K=V (repeatable) sets a variable of
 *   the measured demo only, for A/B runs of a setting.
 * `gravix dev` runs its pipeline in a child of a small launcher (docs/adr/0109): every figure is the pipeline
 * process's (found through its data directory's lock), and each dev run also reports its launcher's RSS and PSS.
 * RSS is sampled from /proc every --sample-seconds; the peak is VmHWM. The measured demo runs with
 * memory-probe.js, so the result also splits its highest sampled RSS into V8 heap, external/arrayBuffers and the
 * rest (native: DuckDB, malloc, worker isolates). Target (issues #18, #19): the demo's peak under 300 MiB, for the
 * pipeline (`met`) and for gravix dev's process tree, launcher and pipeline summed (`treeMet`, `demo.tree`).
 * Usage: npm run bench:demo-rss [-- --minutes 10 --sample-seconds 10] [-- --history 8d --minutes 90] [--keep]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lockAddress, readLockHolder } from '../../workers/dev/data-dir-lock.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    'sample-seconds': { type: 'string' },
    history: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
    cli: { type: 'string', default: 'dist/cli/gravix.js' },
    // Leave the data directories (process logs, memory-probe lines) for a timeline of the peak.
    keep: { type: 'boolean', default: false },
  },
});
const history = values.history;
const minutes = Number(values.minutes ?? (history ? 120 : 10));
const sampleMs = Number(values['sample-seconds'] ?? (history ? 2 : 10)) * 1000;
const targetMiB = 300;
const probe = join(dirname(fileURLToPath(import.meta.url)), 'memory-probe.js');
const extraEnv = Object.fromEntries(
  values.env.map((kv) => {
    const at = kv.indexOf('=');
    if (at < 1) throw new Error(`--env takes K=V, got '${kv}'`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);

/** A /proc/<pid>/status or smaps_rollup field in MiB (0 when the process is gone). */
function procMiB(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/${file}`, 'utf8'),
    );
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : 0;
  } catch {
    return 0;
  }
}

interface Run {
  child: ChildProcess;
  /** The process measured: gravix dev's pipeline (the launcher's child), or the child itself. */
  pid: number;
  /** gravix dev's launcher (the child spawned here) when it is not the measured process. */
  launcherPid?: number;
  dataDir: string;
  queryPort: number;
  logPath: string;
  probePath?: string;
  rssMiB: number[];
  /** gravix dev's process tree (launcher + pipeline) per sample: what a user summing RSS or PSS sees. */
  treeRssMiB: number[];
  treePssMiB: number[];
  dashboardCalls: { ok: number; failed: number };
}

/** A free loopback port for the query server, so the dashboard's calls know where to go. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function start(
  args: string[],
  env: Record<string, string> = {},
  options: { probe?: boolean; dev?: boolean } = {},
): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-demo-rss-'));
  const queryPort = await freePort();
  const logPath = join(dataDir, 'process.log');
  const probePath = options.probe ? join(dataDir, 'memory-probe.jsonl') : undefined;
  const childEnv = {
    ...process.env,
    GRAVIX_DATA_DIR: join(dataDir, 'data'),
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_QUERY_PORT: String(queryPort),
    GRAVIX_LOG_LEVEL: history ? 'info' : 'warn',
    ...(probePath && { GRAVIX_MEMORY_PROBE_FILE: probePath }),
    ...env,
  };
  const nodeArgs = probePath ? ['--import', probe] : [];
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: childEnv,
    stdio: ['ignore', log, 'inherit'],
  });
  const run = { child, pid: child.pid!, dataDir, queryPort, logPath, probePath };
  if (!options.dev)
    return { ...run, rssMiB: [], treeRssMiB: [], treePssMiB: [], dashboardCalls: { ok: 0, failed: 0 } };
  const pipeline = await pipelinePid(childEnv.GRAVIX_DATA_DIR, child);
  return {
    ...run,
    pid: pipeline,
    launcherPid: child.pid!,
    rssMiB: [],
    treeRssMiB: [],
    treePssMiB: [],
    dashboardCalls: { ok: 0, failed: 0 },
  };
}

/** The pid of the process holding `dataDir`'s pipeline, as its lock answers once the pipeline has started. */
async function pipelinePid(dataDir: string, launcher: ChildProcess): Promise<number> {
  for (let tries = 0; tries < 1200; tries++) {
    if (existsSync(dataDir)) {
      const holder = await readLockHolder(lockAddress(realpathSync(dataDir)));
      if (holder) return holder.pid;
    }
    if (launcher.exitCode !== null) throw new Error(`gravix dev exited with ${launcher.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pipeline holds ${dataDir} after 120 s`);
}

const startDev = (devArgs: string[], env?: Record<string, string>, options?: { probe?: boolean }) =>
  start([values.cli, 'dev', ...devArgs], env, { ...options, dev: true });

/** The floor: a bare node that has imported what `gravix dev` imports (and DuckDB, parquet-wasm) and idles. */
function startBareFloor(): Promise<Run> {
  const modules = [resolve('dist/workers/dev/main.js'), '@duckdb/node-api', 'parquet-wasm'];
  const code = `${modules.map((m) => `await import(${JSON.stringify(m)});`).join(' ')} setInterval(() => {}, 1e9);`;
  return start(['--input-type=module', '-e', code]);
}

async function apiGet(run: Run, path: string): Promise<Response | undefined> {
  const keyFile = join(run.dataDir, 'data', 'dev-api-key');
  if (!existsSync(keyFile)) return undefined;
  const headers = { authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` };
  return fetch(`http://127.0.0.1:${run.queryPort}/api/v1/${path}`, { headers });
}

/** The calls the dashboard's 1-hour view makes on each refresh (the overview, the chart, the endpoint table). */
async function refreshDashboard(run: Run): Promise<void> {
  const to = Date.now();
  const range = `from=${to - 3_600_000}&to=${to}`;
  for (const path of ['services', `timeseries`, 'endpoints']) {
    try {
      const response = await apiGet(run, `${path}?${range}`);
      if (!response) return;
      await response.arrayBuffer();
      run.dashboardCalls[response.ok ? 'ok' : 'failed'] += 1;
    } catch {
      run.dashboardCalls.failed += 1;
    }
  }
}

/** The backfill's own report from the process log ('demo history sent'), once it is there. */
function historySent(run: Run): { facts: number; ms: number } | undefined {
  const line = readFileSync(run.logPath, 'utf8')
    .split('\n')
    .find((l) => l.includes('"demo history sent"'));
  return line ? (JSON.parse(line) as { facts: number; ms: number }) : undefined;
}

/** Requests the services API counts over the back-dated range (the history ends when the process started). */
async function rolledUp(run: Run, from: number, to: number): Promise<number> {
  try {
    const response = await apiGet(run, `services?from=${from}&to=${to}&limit=1000`);
    if (!response?.ok) return 0;
    const body = (await response.json()) as { services: { requests: number }[] };
    return body.services.reduce((n, s) => n + s.requests, 0);
  } catch {
    return 0;
  }
}

interface ProbeLine {
  s: number;
  pid?: number;
  thread: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The main thread's probe line of the highest RSS, with what V8's main isolate does not account for (native:
 * DuckDB, malloc, worker isolates), and each worker thread's largest heap and external memory.
 */
function peakSplit(run: Run) {
  if (!run.probePath || !existsSync(run.probePath)) return undefined;
  const lines = readFileSync(run.probePath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProbeLine)
    .filter((l) => l.pid === undefined || l.pid === run.pid);
  const main = lines.filter((l) => l.thread === 0);
  const peak = main.reduce<ProbeLine | undefined>((a, b) => (a && a.rss >= b.rss ? a : b), undefined);
  if (!peak) return undefined;
  const workers = [...new Set(lines.filter((l) => l.thread !== 0).map((l) => l.thread))].map((thread) => {
    const own = lines.filter((l) => l.thread === thread);
    return {
      thread,
      maxHeapTotal: Math.max(...own.map((l) => l.heapTotal)),
      maxExternal: Math.max(...own.map((l) => l.external)),
    };
  });
  return {
    atSecond: peak.s,
    rss: peak.rss,
    mainHeapTotal: peak.heapTotal,
    mainHeapUsed: peak.heapUsed,
    mainExternal: peak.external,
    mainArrayBuffers: peak.arrayBuffers,
    nativeNotSeenByMainV8: round(peak.rss - peak.heapTotal - peak.external),
    mainMaxHeapTotal: Math.max(...main.map((l) => l.heapTotal)),
    mainMaxExternal: Math.max(...main.map((l) => l.external)),
    workers,
  };
}

/** The launcher's own memory: RSS counts the node binary's pages it shares with the pipeline, PSS its share. */
function launcherSummary(run: Run) {
  if (run.launcherPid === undefined) return undefined;
  return {
    pid: run.launcherPid,
    peakRssMiB: procMiB(run.launcherPid, 'status', 'VmHWM'),
    pssMiB: procMiB(run.launcherPid, 'smaps_rollup', 'Pss'),
  };
}

/**
 * gravix dev's whole process tree (ADR 0109's launcher and its pipeline): the highest sampled sum of their RSS and of
 * their PSS, and the sum of both processes' VmHWM, an upper bound of the summed peak (the two peaks need not fall
 * in the same second; sampling may miss a short peak, VmHWM does not). RSS counts the node binary's pages the two
 * share twice; PSS splits them.
 */
function treeSummary(run: Run) {
  if (run.launcherPid === undefined) return undefined;
  return {
    peakSampledRssMiB: round(Math.max(...run.treeRssMiB)),
    peakRssUpperBoundMiB: round(
      procMiB(run.pid, 'status', 'VmHWM') + procMiB(run.launcherPid, 'status', 'VmHWM'),
    ),
    peakSampledPssMiB: round(Math.max(...run.treePssMiB)),
    lastPssMiB: run.treePssMiB.at(-1),
  };
}

/** One sample of a run: the measured process's RSS, and its tree's summed RSS and PSS when it has a launcher. */
function sample(run: Run): void {
  const rss = procMiB(run.pid, 'status', 'VmRSS');
  run.rssMiB.push(rss);
  if (run.launcherPid === undefined) return;
  run.treeRssMiB.push(round(rss + procMiB(run.launcherPid, 'status', 'VmRSS')));
  run.treePssMiB.push(
    round(procMiB(run.pid, 'smaps_rollup', 'Pss') + procMiB(run.launcherPid, 'smaps_rollup', 'Pss')),
  );
}

function summary(run: Run) {
  const pid = run.pid;
  const sorted = [...run.rssMiB].sort((a, b) => a - b);
  return {
    peakRssMiB: procMiB(pid, 'status', 'VmHWM'),
    lastRssMiB: run.rssMiB.at(-1),
    medianRssMiB: sorted[Math.floor(sorted.length / 2)],
    // What holds it at the end: anonymous memory (V8 heaps, DuckDB's buffers, malloc) vs mapped files (code).
    anonymousMiB: procMiB(pid, 'smaps_rollup', 'Anonymous'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]),
    dashboardCalls: run.dashboardCalls,
    ...(run.probePath && { peakSplitMiB: peakSplit(run) }),
    rssMiBPerSample: run.rssMiB,
    ...(run.launcherPid !== undefined && { launcher: launcherSummary(run), tree: treeSummary(run) }),
  };
}

const historyArgs = history ? ['--history', history] : [];
const loadAtStart = loadavg()[0]!;
const started = Date.now();
const demo = await startDev(['--demo', ...historyArgs], extraEnv, { probe: true });
const before = history
  ? undefined
  : await startDev(['--demo'], { GRAVIX_ROLLUP_SCAN_THREADS: '1', GRAVIX_DUCKDB_MEMORY_LIMIT: '1GB' });
const idle = await startDev([]);
const bare = await startBareFloor();
const runs = [demo, ...(before ? [before] : []), idle, bare];
const dashboards = setInterval(() => {
  for (const run of [demo, ...(before ? [before] : [])]) void refreshDashboard(run);
}, 15_000);
const load = [loadAtStart];
let sent: { facts: number; ms: number } | undefined;
let counted = 0;
let doneAt: number | undefined;
const deadline = started + minutes * 60_000;
while (Date.now() < deadline && (doneAt === undefined || Date.now() < doneAt + 60_000)) {
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  for (const run of runs) sample(run);
  if (demo.rssMiB.length % 30 === 0) load.push(loadavg()[0]!);
  if (!history || doneAt !== undefined) continue;
  sent ??= historySent(demo);
  if (sent && demo.rssMiB.length % 5 === 0) {
    counted = await rolledUp(demo, started - historyMs(history), started);
    if (counted >= sent.facts * 0.98) doneAt = Date.now();
  }
}
clearInterval(dashboards);
const demoSummary = summary(demo);
const result = {
  bench: 'demo-rss',
  mode: history ? `history ${history}` : 'live',
  minutes: Math.round((Date.now() - started) / 6_000) / 10,
  sampleSeconds: sampleMs / 1000,
  ...(Object.keys(extraEnv).length > 0 && { demoEnv: extraEnv }),
  ...(history && {
    history: {
      done: doneAt !== undefined,
      facts: sent?.facts,
      sentSeconds: sent && Math.round(sent.ms / 1000),
      rolledUpSeconds: doneAt && Math.round((doneAt - started) / 1000),
      countedRequests: counted,
    },
  }),
  demo: demoSummary,
  ...(before && {
    demoBeforeBounds: { what: 'scan thread per pass, DuckDB 1GB (the defaults before)', ...summary(before) },
  }),
  floorIdleDev: { what: 'gravix dev without --demo, idle, same run', ...summary(idle) },
  floorBareNode: { what: 'bare node with the same modules imported, idle, same run', ...summary(bare) },
  target: { peakRssMiBBelow: targetMiB },
  // The pipeline's own peak, and the whole tree's (launcher + pipeline VmHWM summed: a user adding up RSS).
  met: demoSummary.peakRssMiB < targetMiB,
  treeMet: (demoSummary.tree?.peakRssUpperBoundMiB ?? demoSummary.peakRssMiB) < targetMiB,
  loadAverage1m: { samples: [...load, loadavg()[0]!] },
  ...(values.keep && { dataDirs: runs.map((run) => run.dataDir) }),
};
for (const run of runs) run.child.kill('SIGTERM');
await Promise.all(runs.map((run) => new Promise((resolve) => run.child.once('exit', resolve))));
if (!values.keep) for (const run of runs) rmSync(run.dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);

/** `8d`, `36h`, `90m` in ms (the CLI's own parser checks the real argument). */
function historyMs(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text);
  if (!match) throw new Error(`--history takes e.g. 8d, 36h or 90m, got '${text}'`);
  return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
}
