import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRawPartition } from './generate-raw.js';

/**
 * Gravix rollup vs DuckDB doing the same dedupe + aggregation + Parquet write on the same raw files, each in
 * its own process (so peak RSS is its own). Prints one JSON object.
 * Usage: bench/rollup/run.sh [--events 10000000] [--per-segment 500000] [--duplicates 0.05] [--rounds 1]
 * With --rounds N the three runs are repeated N times, interleaved (gravix, single thread, DuckDB, gravix, ...), so
 * each sees the same machine load; each figure is the median of its rounds. The machine's load average (1 min) is
 * printed at the start and end: on a shared machine every rate moves with it, the ratio much less.
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    'per-segment': { type: 'string', default: '500000' },
    duplicates: { type: 'string', default: '0.05' },
    rounds: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const hourMs = Date.parse('2026-11-20T10:00:00Z');
const root = mkdtempSync(join(tmpdir(), 'gravix-rollup-bench-'));
const storeRoot = join(root, 'store');

function runChild(script: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(here, script), ...args], { maxBuffer: 1 << 24 });
  return JSON.parse(out.toString().trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const generatedAt = performance.now();
const raw = await generateRawPartition(storeRoot, {
  events: Number(values.events),
  perSegment: Number(values['per-segment']),
  duplicateShare: Number(values.duplicates),
  hourMs,
});
const generateSeconds = (performance.now() - generatedAt) / 1000;
const loadAtStart = loadavg()[0]!;
type Run = Record<string, unknown> & { seconds: number };
const runs: { gravix: Run[]; gravixSingleThread: Run[]; duckdb: Run[] } = {
  gravix: [],
  gravixSingleThread: [],
  duckdb: [],
};
for (let round = 0; round < Number(values.rounds); round++) {
  rmSync(join(storeRoot, 'metrics'), { recursive: true, force: true });
  runs.gravix.push(runChild('gravix-child.js', [storeRoot]) as Run);
  // Same work again with scanning on the main thread only (scanThreads 0): the no-worker baseline.
  rmSync(join(storeRoot, 'metrics'), { recursive: true, force: true });
  runs.gravixSingleThread.push(runChild('gravix-child.js', [storeRoot, '0']) as Run);
  runs.duckdb.push(
    runChild('duckdb-child.js', [
      join(storeRoot, 'raw', 'tenant=bench', 'date=2026-11-20', 'hour=10', '*.jsonl.gz'),
      join(root, 'duckdb-out.parquet'),
    ]) as Run,
  );
}
/** The round with the median time (its RSS and CPU beside it), and every round's time. */
function median(list: Run[]): Run & { roundsSeconds: number[] } {
  const sorted = [...list].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, roundsSeconds: list.map((r) => r.seconds) };
}
const [gravix, gravixSingleThread, duckdb] = [
  median(runs.gravix),
  median(runs.gravixSingleThread),
  median(runs.duckdb),
];
const rate = (r: Record<string, unknown>) => Math.round(raw.lines / (r['seconds'] as number));
const result = {
  input: {
    lines: raw.lines,
    segments: raw.segments,
    duplicateShare: Number(values.duplicates),
    generateSeconds,
  },
  gravix: {
    ...gravix,
    eventsPerSecond: rate(gravix),
    scanThreads: 'default (GRAVIX_ROLLUP_SCAN_THREADS unset)',
  },
  gravixSingleThread: { ...gravixSingleThread, eventsPerSecond: rate(gravixSingleThread), scanThreads: 0 },
  duckdb: { ...duckdb, eventsPerSecond: rate(duckdb), percentiles: 'approx_quantile' },
  ratio: rate(gravix) / rate(duckdb),
  ratioSingleThread: rate(gravixSingleThread) / rate(duckdb),
  factsAgree: gravix['facts'] === duckdb['facts'],
  // Issue #18: at least DuckDB's rate on both cores, within 512 MiB.
  targets: { ratioAtLeast: 1.0, gravixMaxRssMiB: 512 },
  loadAverage1m: { start: loadAtStart, end: loadavg()[0]! },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!values.keep) rmSync(root, { recursive: true, force: true });
