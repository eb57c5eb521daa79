/**
 * bench/demo: resident memory of `gravix dev --demo` (the built CLI, what `npm start` runs) over a stretch of its
 * demo traffic with the dashboard open (its 1-hour view's calls every 15 s, as its auto-refresh makes them), beside
 * a floor measured in the same run: `gravix dev` without --demo, idle. A third process runs the demo with the
 * embedded defaults before issue #18 (a rollup scan thread started every pass, DuckDB's 1GB buffer pool), so the
 * bounds are compared under the same load. All run at the same time on their own data directories.
 * RSS is sampled from /proc every --sample-seconds; the peak (VmHWM) and the anonymous memory at the end say
 * what holds it. Target (issue #18): the demo's peak under 300 MiB.
 * Usage: npm run bench:demo-rss [-- --minutes 10 --sample-seconds 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '10' },
    cli: { type: 'string', default: 'dist/cli/gravix.js' },
  },
});
const minutes = Number(values.minutes);
const sampleMs = Number(values['sample-seconds']) * 1000;
const targetMiB = 300;

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
  dataDir: string;
  queryPort: number;
  rssMiB: number[];
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

async function start(demo: boolean, extraEnv: Record<string, string> = {}): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-demo-rss-'));
  const queryPort = await freePort();
  const env = {
    ...process.env,
    GRAVIX_DATA_DIR: dataDir,
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_QUERY_PORT: String(queryPort),
    GRAVIX_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const args = [values.cli, 'dev', ...(demo ? ['--demo'] : [])];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, dataDir, queryPort, rssMiB: [], dashboardCalls: { ok: 0, failed: 0 } };
}

/** The calls the dashboard's 1-hour view makes on each refresh (the overview, the chart, the endpoint table). */
async function refreshDashboard(run: Run): Promise<void> {
  const keyFile = join(run.dataDir, 'dev-api-key');
  if (!existsSync(keyFile)) return;
  const headers = { authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` };
  const to = Date.now();
  const range = `from=${to - 3_600_000}&to=${to}`;
  for (const path of ['services', `timeseries`, 'endpoints']) {
    try {
      const response = await fetch(`http://127.0.0.1:${run.queryPort}/api/v1/${path}?${range}`, { headers });
      await response.arrayBuffer();
      run.dashboardCalls[response.ok ? 'ok' : 'failed'] += 1;
    } catch {
      run.dashboardCalls.failed += 1;
    }
  }
}

function summary(run: Run) {
  const pid = run.child.pid!;
  const sorted = [...run.rssMiB].sort((a, b) => a - b);
  return {
    peakRssMiB: procMiB(pid, 'status', 'VmHWM'),
    lastRssMiB: run.rssMiB.at(-1),
    medianRssMiB: sorted[Math.floor(sorted.length / 2)],
    // What holds it at the end: anonymous memory (V8 heaps, DuckDB's buffers, malloc) vs mapped files (code).
    anonymousMiB: procMiB(pid, 'smaps_rollup', 'Anonymous'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]),
    dashboardCalls: run.dashboardCalls,
    rssMiBPerSample: run.rssMiB,
  };
}

const loadAtStart = loadavg()[0]!;
const demo = await start(true);
const before = await start(true, { GRAVIX_ROLLUP_SCAN_THREADS: '1', GRAVIX_DUCKDB_MEMORY_LIMIT: '1GB' });
const floor = await start(false);
const runs = [demo, before, floor];
const dashboards = setInterval(() => {
  for (const run of [demo, before]) void refreshDashboard(run);
}, 15_000);
const samples = Math.max(1, Math.round((minutes * 60_000) / sampleMs));
for (let i = 0; i < samples; i++) {
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  for (const run of runs) run.rssMiB.push(procMiB(run.child.pid!, 'status', 'VmRSS'));
}
clearInterval(dashboards);
const result = {
  bench: 'demo-rss',
  minutes,
  sampleSeconds: sampleMs / 1000,
  demo: summary(demo),
  demoBeforeBounds: { what: 'scan thread per pass, DuckDB 1GB (the defaults before)', ...summary(before) },
  floor: { what: 'gravix dev without --demo, idle, same run', ...summary(floor) },
  target: { peakRssMiBBelow: targetMiB },
  met: summary(demo).peakRssMiB < targetMiB,
  loadAverage1m: { start: loadAtStart, end: loadavg()[0]! },
};
for (const run of runs) run.child.kill('SIGTERM');
await Promise.all(runs.map((run) => new Promise((resolve) => run.child.once('exit', resolve))));
for (const run of runs) rmSync(run.dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
