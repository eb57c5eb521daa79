import { buildObjectStoreFromConfig } from '../adapters/object-store/load-object-store.js';
import { buildLogger } from '../shared/logger.js';
import { loadIngestConfig } from './config.js';
import { startIngestServer } from './ingest-server.js';

/** `gravix ingest`: configuration comes from the environment (see config.ts). */
export async function run(_argv: string[]): Promise<number> {
  const config = loadIngestConfig(process.env);
  const log = buildLogger('gravix-ingest', config.GRAVIX_LOG_LEVEL);
  const server = await startIngestServer(config, buildObjectStoreFromConfig(config.store), log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('shutdown requested');
  const { drained } = await server.stop();
  return drained ? 0 : 3;
}
