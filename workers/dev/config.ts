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
});

/**
 * The embedded mode's environment: its own defaults (loopback only, short WAL segments so raw data reaches the
 * store within seconds) under whatever the user set, plus its own keys. The ingest and query loaders read the rest.
 */
export function loadDevEnvironment(env: Record<string, string | undefined>) {
  const merged: Record<string, string | undefined> = {
    GRAVIX_DATA_DIR: '.gravix-data',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_WAL_SEGMENT_AGE_MS: '10000',
    // Both servers share one process and a local store: checking the keys document is a local stat, so key changes
    // (answered after one reload interval, docs/adr/0069) can be quick.
    GRAVIX_KEYS_RELOAD_MS: '250',
    // DuckDB's buffer pool in the one embedded process: the dashboard's statements over a dev store need far less
    // (the 7-day bench dataset's heaviest call stays under it), and the demo must stay under 300 MiB in all.
    GRAVIX_DUCKDB_MEMORY_LIMIT: '256MB',
    ...env,
  };
  return { env: merged, dataDir: merged['GRAVIX_DATA_DIR']!, ...parseConfig(devSchema, merged) };
}
