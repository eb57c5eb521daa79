import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRawPartition } from './generate-raw.js';

/**
 * Gravix rollup vs DuckDB doing the same dedupe + aggregation + Parquet write on the same raw files, each in
 * its own process (so peak RSS is its own). Prints one JSON object.
 * Usage: bench/rollup/run.sh [--events 10000000] [--per-segment 500000] [--duplicates 0.05]
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    'per-segment': { type: 'string', default: '500000' },
    duplicates: { type: 'string', default: '0.05' },
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
const gravix = runChild('gravix-child.js', [storeRoot]);
// Same work again with scanning on the main thread only (scanThreads 0): the no-worker baseline.
rmSync(join(storeRoot, 'metrics'), { recursive: true, force: true });
const gravixSingleThread = runChild('gravix-child.js', [storeRoot, '0']);
const duckdb = runChild('duckdb-child.js', [
  join(storeRoot, 'raw', 'tenant=bench', 'date=2026-11-20', 'hour=10', '*.jsonl.gz'),
  join(root, 'duckdb-out.parquet'),
]);
const rate = (r: Record<string, unknown>) => Math.round(raw.lines / (r['seconds'] as number));
const result = {
  input: {
    lines: raw.lines,
    segments: raw.segments,
    duplicateShare: Number(values.duplicates),
    generateSeconds,
  },
  gravix: { ...gravix, eventsPerSecond: rate(gravix), scanThreads: 'default (1 worker)' },
  gravixSingleThread: { ...gravixSingleThread, eventsPerSecond: rate(gravixSingleThread), scanThreads: 0 },
  duckdb: { ...duckdb, eventsPerSecond: rate(duckdb), percentiles: 'approx_quantile' },
  ratio: rate(gravix) / rate(duckdb),
  ratioSingleThread: rate(gravixSingleThread) / rate(duckdb),
  factsAgree: gravix['facts'] === duckdb['facts'],
  targets: { ratioAtLeast: 0.6, gravixMaxRssMiB: 512 },
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!values.keep) rmSync(root, { recursive: true, force: true });
