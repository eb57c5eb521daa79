import { z } from 'zod';
import { parseConfig } from '../shared/config-error.js';

const devSchema = z.object({
  GRAVIX_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
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
    ...env,
  };
  return { env: merged, dataDir: merged['GRAVIX_DATA_DIR']!, ...parseConfig(devSchema, merged) };
}
