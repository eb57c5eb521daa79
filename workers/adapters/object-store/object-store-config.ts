import { z } from 'zod';

/**
 * Storage settings shared by every worker: GRAVIX_STORE=local|s3 plus the matching keys. Apart from
 * load-object-store.ts, which builds the store, because that module loads the AWS SDK (~20 MiB of RSS): a config
 * that only validates the keys (`gravix dev`'s, on a local store) must not pay for it (issue #18, docs/adr/0125).
 */
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
