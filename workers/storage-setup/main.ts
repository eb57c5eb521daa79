import { buildLogger } from '../shared/logger.js';
import { loadStorageSetupConfig } from './config.js';
import { setUpStorage, StorageSetupError } from './set-up-storage.js';
import { MinioAdminError } from './adapters/minio-admin-client.js';

/**
 * `gravix storage-setup`: the pipeline's storage Job (cdk8s/storage-setup.ts). Creates the bucket (MinIO, or an
 * external bucket when asked) and MinIO's per-component users, or fails with a message naming what is missing.
 */
export async function run(): Promise<number> {
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
