import { z } from 'zod';
import { ConfigError, parseConfig } from '../shared/config-error.js';
import { STORAGE_COMPONENTS, type StorageComponent } from './domain/component-policies.js';
import type { Credentials, StorageSetupOptions } from './set-up-storage.js';

const flag = z.enum(['true', 'false']).default('false');

const baseSchema = z.object({
  GRAVIX_S3_BUCKET: z.string().min(3),
  GRAVIX_S3_ENDPOINT: z.url().optional(),
  GRAVIX_S3_REGION: z.string().min(1).default('us-east-1'),
  GRAVIX_S3_ACCESS_KEY_ID: z.string().min(1),
  GRAVIX_S3_SECRET_ACCESS_KEY: z.string().min(1),
  GRAVIX_STORAGE_CREATE_BUCKET: flag,
  /** MinIO: create a user per component from GRAVIX_STORAGE_<COMPONENT>_ACCESS_KEY_ID / _SECRET_ACCESS_KEY. */
  GRAVIX_STORAGE_MINIO_USERS: flag,
  GRAVIX_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The env names of one component's credentials, as cdk8s/storage-setup.ts sets them from its Secret. */
export function componentCredentialEnv(component: StorageComponent) {
  const prefix = `GRAVIX_STORAGE_${component.toUpperCase()}`;
  return { accessKey: `${prefix}_ACCESS_KEY_ID`, secretKey: `${prefix}_SECRET_ACCESS_KEY` };
}

function readUsers(env: Record<string, string | undefined>): Record<StorageComponent, Credentials> {
  const problems: string[] = [];
  const users = STORAGE_COMPONENTS.map((component) => {
    const names = componentCredentialEnv(component);
    const [accessKeyId, secretAccessKey] = [env[names.accessKey], env[names.secretKey]];
    for (const [name, value] of [
      [names.accessKey, accessKeyId],
      [names.secretKey, secretAccessKey],
    ] as const) {
      if (!value) problems.push(`${name}: is required when GRAVIX_STORAGE_MINIO_USERS is true`);
    }
    return [component, { accessKeyId: accessKeyId ?? '', secretAccessKey: secretAccessKey ?? '' }];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.fromEntries(users) as Record<StorageComponent, Credentials>;
}

export interface StorageSetupConfig {
  options: StorageSetupOptions;
  logLevel: string;
}

/** `gravix storage-setup`'s configuration from env; every bad key is reported at once. */
export function loadStorageSetupConfig(env: Record<string, string | undefined>): StorageSetupConfig {
  const problems: string[] = [];
  let base: z.infer<typeof baseSchema> | undefined;
  let users: Record<StorageComponent, Credentials> | undefined;
  try {
    base = parseConfig(baseSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  try {
    if (env['GRAVIX_STORAGE_MINIO_USERS'] === 'true') users = readUsers(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !base) throw new ConfigError(problems);
  return {
    logLevel: base.GRAVIX_LOG_LEVEL,
    options: {
      bucket: base.GRAVIX_S3_BUCKET,
      endpoint: base.GRAVIX_S3_ENDPOINT,
      region: base.GRAVIX_S3_REGION,
      credentials: {
        accessKeyId: base.GRAVIX_S3_ACCESS_KEY_ID,
        secretAccessKey: base.GRAVIX_S3_SECRET_ACCESS_KEY,
      },
      createBucket: base.GRAVIX_STORAGE_CREATE_BUCKET === 'true',
      users,
    },
  };
}

export interface WaitConfig {
  component: StorageComponent;
  bucket: string;
  endpoint: string | undefined;
  region: string;
  credentials: Credentials;
  logLevel: string;
}

/** `gravix storage-setup --wait-for <component>`: the component's own S3 settings, as its worker reads them. */
export function loadWaitConfig(env: Record<string, string | undefined>, argv: string[]): WaitConfig {
  const problems: string[] = [];
  const component = argv[1] as StorageComponent;
  if (argv[0] !== '--wait-for' || !STORAGE_COMPONENTS.includes(component) || argv.length !== 2) {
    problems.push(
      `argv: expected --wait-for <${STORAGE_COMPONENTS.join('|')}> (got ${argv.join(' ') || 'nothing'})`,
    );
  }
  let base: z.infer<typeof baseSchema> | undefined;
  try {
    base = parseConfig(baseSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !base) throw new ConfigError(problems);
  return {
    component,
    bucket: base.GRAVIX_S3_BUCKET,
    endpoint: base.GRAVIX_S3_ENDPOINT,
    region: base.GRAVIX_S3_REGION,
    credentials: {
      accessKeyId: base.GRAVIX_S3_ACCESS_KEY_ID,
      secretAccessKey: base.GRAVIX_S3_SECRET_ACCESS_KEY,
    },
    logLevel: base.GRAVIX_LOG_LEVEL,
  };
}
