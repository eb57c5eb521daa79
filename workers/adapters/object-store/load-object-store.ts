import { z } from 'zod';
import { LocalObjectStore } from './local-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

/**
 * The storage settings every worker shares (GRAVIX_STORE, GRAVIX_DATA_DIR, GRAVIX_S3_*). Workers embed this
 * shape in their own config schema so one loadConfig reports every bad key at once; process.env is read there.
 */
export const objectStoreEnvSchema = z
  .object({
    GRAVIX_STORE: z.enum(['local', 's3']).default('local'),
    GRAVIX_DATA_DIR: z.string().min(1).default('./data'),
    GRAVIX_S3_BUCKET: z.string().min(3).optional(),
    GRAVIX_S3_ENDPOINT: z.url().optional(),
    GRAVIX_S3_REGION: z.string().min(1).default('us-east-1'),
    GRAVIX_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    GRAVIX_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.GRAVIX_STORE !== 's3') return;
    for (const key of [
      'GRAVIX_S3_BUCKET',
      'GRAVIX_S3_ACCESS_KEY_ID',
      'GRAVIX_S3_SECRET_ACCESS_KEY',
    ] as const) {
      if (env[key] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is required when GRAVIX_STORE is 's3'`,
        });
      }
    }
  });

export type ObjectStoreEnv = z.output<typeof objectStoreEnvSchema>;

export type ObjectStoreConfig =
  | { kind: 'local'; dataDir: string }
  | {
      kind: 's3';
      bucket: string;
      endpoint?: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
    };

/** Turns validated env values into the store config (pure). */
export function buildObjectStoreConfig(env: ObjectStoreEnv): ObjectStoreConfig {
  if (env.GRAVIX_STORE === 'local') return { kind: 'local', dataDir: env.GRAVIX_DATA_DIR };
  return {
    kind: 's3',
    bucket: env.GRAVIX_S3_BUCKET ?? '',
    ...(env.GRAVIX_S3_ENDPOINT === undefined ? {} : { endpoint: env.GRAVIX_S3_ENDPOINT }),
    region: env.GRAVIX_S3_REGION,
    accessKeyId: env.GRAVIX_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.GRAVIX_S3_SECRET_ACCESS_KEY ?? '',
  };
}

/** Builds the adapter the config names; the caller owns it (S3ObjectStore has destroy()). */
export function buildObjectStoreFromConfig(config: ObjectStoreConfig): ObjectStore {
  if (config.kind === 'local') return new LocalObjectStore(config.dataDir);
  return new S3ObjectStore(config);
}
