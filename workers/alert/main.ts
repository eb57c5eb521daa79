import { buildObjectStoreFromConfig } from '../adapters/object-store/load-object-store.js';
import { openEngine } from '../query/app/query-server.js';
import { RollupManifests } from '../query/adapters/rollup-manifests.js';
import { buildLogger } from '../shared/logger.js';
import { loadAlertInputs } from './app/alert-inputs.js';
import { startAlertWorker } from './app/alert-worker.js';
import { loadAlertConfig } from './config.js';

/** `gravix alert`: evaluates alert rules each minute over committed minutes and notifies; until SIGTERM. */
export async function run(_argv: string[]): Promise<number> {
  const config = loadAlertConfig(process.env);
  const log = buildLogger('gravix-alert', config.query.GRAVIX_LOG_LEVEL);
  // Before the engine: Trino may take minutes to answer, and a broken rules or channels file is known now.
  const inputs = loadAlertInputs(config, log);
  const store = buildObjectStoreFromConfig(config.query.store);
  const engine = await openEngine(config.query, new RollupManifests(store), log);
  const worker = await startAlertWorker(config, inputs, store, engine, log);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await worker.stop();
  await engine.close();
  return 0;
}
