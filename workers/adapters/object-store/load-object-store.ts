import { join } from 'node:path';
import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStoreConfig } from './object-store-config.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

export function buildObjectStoreFromConfig(config: ObjectStoreConfig): ObjectStore {
  if (config.GRAVIX_STORE === 'local') return new LocalObjectStore(join(config.GRAVIX_DATA_DIR, 'store'));
  return new S3ObjectStore({
    bucket: config.GRAVIX_S3_BUCKET,
    keyPrefix: config.GRAVIX_S3_PREFIX,
    endpoint: config.GRAVIX_S3_ENDPOINT,
    region: config.GRAVIX_S3_REGION,
    accessKeyId: config.GRAVIX_S3_ACCESS_KEY_ID,
    secretAccessKey: config.GRAVIX_S3_SECRET_ACCESS_KEY,
  });
}
