import { buildObjectStoreFromConfig } from '../adapters/object-store/load-object-store.js';
import { buildLogger } from '../shared/logger.js';
import { loadIngestConfig } from './config.js';
import { startIngestServer } from './ingest-server.js';
import { rescueWriteAheadLog } from './wal-rescue.js';

/**
 * `gravix ingest [--rescue]`: configuration comes from the environment (see config.ts). `--rescue` uploads what
 * the data directory's write-ahead log holds and exits (0 when nothing is left, 3 when the deadline passed first).
 */
export async function run(argv: string[]): Promise<number> {
  const config = loadIngestConfig(process.env);
  const log = buildLogger('gravix-ingest', config.GRAVIX_LOG_LEVEL);
  const store = buildObjectStoreFromConfig(config.store);
  if (argv.includes('--rescue')) return (await rescueWriteAheadLog(config, store, log)).drained ? 0 : 3;
  const server = await startIngestServer(config, store, log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('shutdown requested');
  const { drained } = await server.stop();
  return drained ? 0 : 3;
}
