import { buildLogger } from '../shared/logger.js';
import { loadStorageSetupConfig, loadWaitConfig } from './config.js';
import { setUpStorage, StorageSetupError } from './set-up-storage.js';
import { MinioAdminError } from './adapters/minio-admin-client.js';
import { waitForStorage } from './wait-for-storage.js';

/**
 * `gravix storage-setup`: the pipeline's storage Job (cdk8s/storage-setup.ts). Creates the bucket (MinIO, or an
 * external bucket when asked) and MinIO's per-component users, or fails with a message naming what is missing.
 * `gravix storage-setup --wait-for <component>`: the worker pods' init container, until that component can use the
 * bucket with its own credentials.
 */
export async function run(argv: string[] = []): Promise<number> {
  if (argv.length > 0) {
    const config = loadWaitConfig(process.env, argv);
    await waitForStorage(config, buildLogger('wait-for-storage', config.logLevel));
    return 0;
  }
  const config = loadStorageSetupConfig(process.env);
  const log = buildLogger('storage-setup', config.logLevel);
  try {
    await setUpStorage(config.options, log);
    log.info({ bucket: config.options.bucket }, 'storage ready');
    return 0;
  } catch (error) {
    if (!(error instanceof StorageSetupError || error instanceof MinioAdminError)) throw error;
    log.error({ code: error.code, err: error }, 'storage setup failed');
    process.stderr.write(`storage-setup: ${error.message}\n`);
    return 1;
  }
}
