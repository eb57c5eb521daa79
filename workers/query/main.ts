import { buildObjectStoreFromConfig } from '../adapters/object-store/load-object-store.js';
import { buildLogger } from '../shared/logger.js';
import { loadQueryConfig } from './config.js';
import { startQueryServer } from './app/query-server.js';

/** `gravix query`: the query API (and the dashboard, when built) — configuration from the environment. */
export async function run(_argv: string[]): Promise<number> {
  const config = loadQueryConfig(process.env);
  const log = buildLogger('gravix-query', config.GRAVIX_LOG_LEVEL);
  const server = await startQueryServer(config, buildObjectStoreFromConfig(config.store), log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.stop();
  return 0;
}
