import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRawPartition } from './generate-raw.js';
import { sampleThreadCpu, type ThreadCpuReport } from './thread-cpu-sampler.js';

/**
 * Gravix rollup vs DuckDB doing the same dedupe + aggregation + Parquet write on the same raw files, each in
 * its own process (so peak RSS is its own). Prints one JSON object.
 * Usage: bench/rollup/run.sh [--events 10000000] [--per-segment 500000] [--duplicates 0.05] [--rounds 1]
 *   [--data <dir>] [--baseline <bench dist of another commit>] [--no-single-thread] [--no-duckdb] [--timeline]
 * With --rounds N the runs are repeated N times, interleaved (gravix, baseline, single thread, DuckDB, gravix, ...),
 * so each sees the same machine load; each figure is the median of its rounds. The machine's load average (1 min)
 * is printed at the start and end: on a shared machine every rate moves with it, the ratio much less.
 * --data keeps the generated input in <dir> and reuses it when it is there (same --events etc. assumed).
 * --baseline runs another build's gravix-child.js (bench/rollup/run.sh's test-artifacts/bench-dist of another
 * commit) on the same files, and compares the sha256 of every data file both wrote (they must be identical).
 * Every Gravix run samples its threads' CPU (/proc/<pid>/task/*) and reports the seconds in which the main thread or
 * the scan thread sat idle; --timeline adds the per-100 ms shares.
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    'per-segment': { type: 'string', default: '500000' },
    duplicates: { type: 'string', default: '0.05' },
    rounds: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    data: { type: 'string' },
    baseline: { type: 'string' },
    'no-single-thread': { type: 'boolean', default: false },
    'no-duckdb': { type: 'boolean', default: false },
    timeline: { type: 'boolean', default: false },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const hourMs = Date.parse('2026-11-20T10:00:00Z');
const root = values.data ? resolve(values.data) : mkdtempSync(join(tmpdir(), 'gravix-rollup-bench-'));
const storeRoot = join(root, 'store');
const readyMarker = join(root, 'generated.json');

type Run = Record<string, unknown> & { seconds: number; threadCpu?: ThreadCpuReport; outputSha256?: string };

/** Runs a child script to its end, sampling its threads; its last stdout line is its JSON result. */
function runChild(script: string, args: string[], sample: boolean): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sampler = sample ? sampleThreadCpu(child.pid!) : undefined;
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    // The sampler stops when the child reports (before it exits), so its last sample still sees every thread.
    child.stdout.on('end', () => {
      const threadCpu = sampler?.stop();
      child.once('close', (code) => {
        if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
        const run = JSON.parse(out.trim().split('\n').at(-1)!) as Run;
        if (threadCpu) run.threadCpu = values.timeline ? threadCpu : { ...threadCpu, timeline: [] };
        resolvePromise(run);
      });
    });
  });
}

/** One digest over every data file under metrics/ (manifests carry commit times, so they are left out). */
function outputDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  const metrics = join(storeRoot, 'metrics');
  for (const file of walk(metrics).sort()) {
    const key = relative(metrics, file);
    if (key.startsWith('_') || key.includes('/_')) continue;
    hash.update(key).update(createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  return hash.digest('hex');
}

const generatedAt = performance.now();
let raw: { lines: number; segments: number };
if (existsSync(readyMarker)) raw = JSON.parse(readFileSync(readyMarker, 'utf8')) as typeof raw;
else {
  mkdirSync(root, { recursive: true });
  raw = await generateRawPartition(storeRoot, {
    events: Number(values.events),
    perSegment: Number(values['per-segment']),
    duplicateShare: Number(values.duplicates),
    hourMs,
  });
  writeFileSync(readyMarker, JSON.stringify(raw));
}
const generateSeconds = (performance.now() - generatedAt) / 1000;
const loadAtStart = loadavg()[0]!;
const gravixChild = join(here, 'gravix-child.js');
const baselineChild = values.baseline
  ? join(resolve(values.baseline), 'bench', 'rollup', 'gravix-child.js')
  : undefined;
const runs: Record<'gravix' | 'baseline' | 'gravixSingleThread' | 'duckdb', Run[]> = {
  gravix: [],
  baseline: [],
  gravixSingleThread: [],
  duckdb: [],
};
async function rollup(script: string, extra: string[]): Promise<Run> {
  rmSync(join(storeRoot, 'metrics'), { recursive: true, force: true });
  const run = await runChild(script, [storeRoot, ...extra], true);
  return { ...run, outputSha256: outputDigest(), load1m: loadavg()[0]! };
}
for (let round = 0; round < Number(values.rounds); round++) {
  runs.gravix.push(await rollup(gravixChild, []));
  if (baselineChild) runs.baseline.push(await rollup(baselineChild, []));
  // Same work again with scanning on the main thread only (scanThreads 0): the no-worker baseline.
  if (!values['no-single-thread']) runs.gravixSingleThread.push(await rollup(gravixChild, ['0']));
  if (!values['no-duckdb'])
    runs.duckdb.push(
      await runChild(
        join(here, 'duckdb-child.js'),
        [
          join(storeRoot, 'raw', 'tenant=bench', 'date=2026-11-20', 'hour=10', '*.jsonl.gz'),
          join(root, 'duckdb-out.parquet'),
        ],
        false,
      ),
    );
}
/** The round with the median time (its RSS and CPU beside it), and every round's time. */
function median(list: Run[]): (Run & { eventsPerSecond: number }) | undefined {
  if (list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return {
    ...mid,
    eventsPerSecond: Math.round(raw.lines / mid.seconds),
    roundsSeconds: list.map((r) => r.seconds),
    roundsCpuSeconds: list.map((r) => r['cpuSeconds'] as number),
    roundsMaxRssMiB: list.map((r) => r['maxRssMiB'] as number),
  };
}
const [gravix, baseline, gravixSingleThread, duckdb] = [
  median(runs.gravix)!,
  median(runs.baseline),
  median(runs.gravixSingleThread),
  median(runs.duckdb),
];
const shas = new Set(
  [...runs.gravix, ...runs.baseline, ...runs.gravixSingleThread].map((r) => r.outputSha256),
);
const result = {
  input: {
    lines: raw.lines,
    segments: raw.segments,
    duplicateShare: Number(values.duplicates),
    generateSeconds,
  },
  gravix: { ...gravix, scanThreads: 'default (GRAVIX_ROLLUP_SCAN_THREADS unset)' },
  ...(baseline && {
    baseline: { ...baseline, build: values.baseline },
    // Interleaved rounds of the same files: per-round wall and CPU ratios of this build to the baseline's.
    roundRatios: runs.gravix.map((r, i) => ({
      wall: Math.round((runs.baseline[i]!.seconds / r.seconds) * 1000) / 1000,
      cpu:
        Math.round(((runs.baseline[i]!['cpuSeconds'] as number) / (r['cpuSeconds'] as number)) * 1000) / 1000,
    })),
  }),
  ...(gravixSingleThread && { gravixSingleThread: { ...gravixSingleThread, scanThreads: 0 } }),
  ...(duckdb && { duckdb: { ...duckdb, percentiles: 'approx_quantile' } }),
  ...(duckdb && {
    ratio: gravix.eventsPerSecond / duckdb.eventsPerSecond,
    ...(gravixSingleThread && {
      ratioSingleThread: gravixSingleThread.eventsPerSecond / duckdb.eventsPerSecond,
    }),
    factsAgree: gravix['facts'] === duckdb['facts'],
  }),
  // Every Gravix run (this build, the baseline, in-thread) must write the same bytes.
  outputsIdentical: shas.size === 1,
  // Issue #18: at least DuckDB's rate on both cores, within 512 MiB.
  targets: { ratioAtLeast: 1.0, gravixMaxRssMiB: 512 },
  loadAverage1m: { start: loadAtStart, end: loadavg()[0]! },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!values.keep && !values.data) rmSync(root, { recursive: true, force: true });
