import { join } from 'node:path';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { loadIngestConfig } from '../ingest/config.js';
import { startIngestServer } from '../ingest/ingest-server.js';
import { runRollupOnce } from '../rollup/run-rollup-once.js';
import { buildLogger } from '../shared/logger.js';
import { loadOrCreateDevApiKey } from './dev-api-key.js';
import { startDemoTraffic } from './demo-traffic.js';

const day = 86_400_000;

/**
 * `gravix dev [--demo]`: the embedded pipeline in one process on a data directory — ingestion and a rollup
 * every minute. The query API and dashboard ([4/7], [5/7]) are not built yet; this says so at start.
 */
export async function run(argv: string[]): Promise<number> {
  // Short segments in the embedded mode: raw data reaches the store (and the next rollup) within seconds.
  const env = {
    GRAVIX_DATA_DIR: '.gravix-data',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_WAL_SEGMENT_AGE_MS: '10000',
    ...process.env,
  };
  const { key, keysFile } = loadOrCreateDevApiKey(env.GRAVIX_DATA_DIR);
  const config = loadIngestConfig({ ...env, GRAVIX_STORE: 'local', GRAVIX_API_KEYS_FILE: keysFile });
  const log = buildLogger('gravix-dev', config.GRAVIX_LOG_LEVEL);
  const store = new LocalObjectStore(join(config.GRAVIX_DATA_DIR, 'store'));
  const ingest = await startIngestServer(config, store, log);
  const url = `http://127.0.0.1:${ingest.port}`;
  log.info(
    { ingestUrl: `${url}/api/v1/facts`, apiKeyFile: join(config.GRAVIX_DATA_DIR, 'dev-api-key') },
    'gravix dev ready',
  );
  log.warn(
    'query API and dashboard are not built yet ([4/7], [5/7]); metrics are written under store/metrics/',
  );
  const stopDemo = argv.includes('--demo') ? startDemoTraffic(url, key, 200) : () => undefined;
  const rollup = async () => {
    // The embedded mode rolls up the open hour too, so a newcomer sees metrics within a minute.
    const summary = await runRollupOnce({
      store,
      latenessMs: 120_000,
      includeOpen: true,
      rawRetentionMs: 7 * day,
      metricsRetentionMs: 30 * day,
      log,
    });
    log.info({ partitions: summary.partitions.length, failed: summary.failed.length }, 'rollup pass done');
  };
  const timer = setInterval(
    () => void rollup().catch((err) => log.error({ err }, 'rollup pass failed')),
    60_000,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(timer);
  stopDemo();
  const { drained } = await ingest.stop();
  await rollup();
  return drained ? 0 : 3;
}
