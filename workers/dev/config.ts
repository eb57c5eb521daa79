import { z } from 'zod';
import { parseConfig } from '../shared/config-error.js';

const devSchema = z.object({
  GRAVIX_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Scan threads of the embedded rollup. None by default: a dev partition is small (the demo sends ~150k events an
   * hour, scanned in-thread in about a second), and a pass that starts a worker thread every minute costs its
   * isolate and inflate buffers each time (issue #18: the demo's RSS under 300 MiB).
   */
  GRAVIX_ROLLUP_SCAN_THREADS: z.coerce.number().int().min(0).max(16).default(0),
  /**
   * Mean requests per second of `--demo` (and of its `--history`, so the back-dated weeks look like the live one).
   * 12/s over 50 endpoints gives every endpoint a dozen requests a minute, and 8 days of history ~8M facts.
   */
  GRAVIX_DEMO_RATE: z.coerce.number().positive().max(10_000).default(12),
  /**
   * How far V8 lets the main heap grow past what its last full collection kept, in percent (0 = V8's own choice).
   * On a machine with gigabytes free V8 grows the old generation up to 4x the live heap; `--demo --history 8d`
   * (~46 MiB live) then held 180 MiB of heap, two thirds of it garbage. 10% keeps it near the live set for a few
   * more full collections of a small heap (issue #19, bench/demo: 17 MiB less peak than 25%, the same facts sent).
   */
  GRAVIX_DEV_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1000).default(10),
});

const hourMs = 3_600_000;

/**
 * The embedded mode's environment: its own defaults (loopback only, short WAL segments so raw data reaches the
 * store within seconds) under whatever the user set, plus its own keys. The ingest and query loaders read the rest.
 */
export function loadDevEnvironment(env: Record<string, string | undefined>, historyMs?: number) {
  const merged: Record<string, string | undefined> = {
    GRAVIX_DATA_DIR: '.gravix-data',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_WAL_SEGMENT_AGE_MS: '10000',
    // Packing a sealed segment holds it several times over (read, split per hour, gzipped); a back-fill fills
    // 64 MiB segments, 4 MiB keeps that small. Packed on the event loop: see segment-packer-thread.ts.
    GRAVIX_WAL_SEGMENT_BYTES: String(4 * 1024 * 1024),
    GRAVIX_WAL_PACK_THREADS: '0',
    // Both servers share one process and a local store: checking the keys document is a local stat, so key changes
    // (answered after one reload interval, docs/adr/0069) can be quick.
    GRAVIX_KEYS_RELOAD_MS: '250',
    // DuckDB's buffer pool in the one embedded process: the dashboard's statements over a dev store need far less
    // (the 7-day bench dataset's heaviest call stays under it), and the demo must stay under 300 MiB in all.
    GRAVIX_DUCKDB_MEMORY_LIMIT: '256MB',
    // DuckDB's allocator keeps up to 128 MiB it freed, and its file cache a second copy of Parquet bytes the page
    // cache holds anyway: in one process that must stay under 300 MiB, return and skip both (docs/adr/0093).
    GRAVIX_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: '8MB',
    GRAVIX_DUCKDB_FILE_CACHE: 'false',
    // --history back-dates facts: ingest must take them (an hour of slack for the time the backfill takes).
    ...(historyMs !== undefined && {
      GRAVIX_MAX_PAST_MS: String(Math.max(7 * 24 * hourMs, historyMs + hourMs)),
    }),
    ...env,
  };
  const schema = devSchema.refine(
    () => historyMs === undefined || Number(merged['GRAVIX_MAX_PAST_MS']) >= historyMs + hourMs,
    {
      path: ['GRAVIX_MAX_PAST_MS'],
      message: `must be at least the --history length plus an hour (${(historyMs ?? 0) + hourMs} ms), or ingest refuses the oldest demo facts`,
    },
  );
  return { env: merged, dataDir: merged['GRAVIX_DATA_DIR']!, ...parseConfig(schema, merged) };
}

const dayMs = 24 * hourMs;

/**
 * The embedded rollup's retention. Raw data is kept at least as long as ingest takes facts (GRAVIX_MAX_PAST_MS,
 * raised by --history): the rollup retires a raw hour past raw retention, and a fact of that hour that lands later
 * is kept but never counted, so with the old fixed 7 days `--history 30d` acknowledged facts of its oldest weeks
 * that no chart ever showed. Never past the metrics retention, which deletes older hours with their raw data.
 */
export function devRetention(maxPastMs: number): { rawRetentionMs: number; metricsRetentionMs: number } {
  const metricsRetentionMs = 30 * dayMs;
  return { rawRetentionMs: Math.min(metricsRetentionMs, Math.max(7 * dayMs, maxPastMs)), metricsRetentionMs };
}
