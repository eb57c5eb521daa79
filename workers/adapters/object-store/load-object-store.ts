import { join } from 'node:path';
import { z } from 'zod';
import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

/** Storage settings shared by every worker: GRAVIX_STORE=local|s3 plus the matching keys. */
export const objectStoreConfigSchema = z.discriminatedUnion('GRAVIX_STORE', [
  z.object({ GRAVIX_STORE: z.literal('local'), GRAVIX_DATA_DIR: z.string().min(1) }),
  z.object({
    GRAVIX_STORE: z.literal('s3'),
    GRAVIX_S3_BUCKET: z.string().min(3),
    GRAVIX_S3_ENDPOINT: z.url().optional(),
    GRAVIX_S3_REGION: z.string().min(1).default('us-east-1'),
    GRAVIX_S3_ACCESS_KEY_ID: z.string().min(1),
    GRAVIX_S3_SECRET_ACCESS_KEY: z.string().min(1),
    GRAVIX_S3_PREFIX: z.string().default(''),
  }),
]);

export type ObjectStoreConfig = z.infer<typeof objectStoreConfigSchema>;

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
