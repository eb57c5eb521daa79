import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { MinioAdminClient } from './adapters/minio-admin-client.js';
import {
  buildComponentPolicy,
  policyName,
  STORAGE_COMPONENTS,
  type StorageComponent,
} from './domain/component-policies.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface StorageSetupOptions {
  bucket: string;
  /** Unset means AWS S3. */
  endpoint: string | undefined;
  region: string;
  /** MinIO's root credentials, or the user's own for an external bucket. */
  credentials: Credentials;
  /** Create the bucket when it is missing (always for the pipeline's MinIO; external only when asked). */
  createBucket: boolean;
  /** MinIO only: one user per component, each with its least-privilege policy. */
  users: Record<StorageComponent, Credentials> | undefined;
}

export class StorageSetupError extends Error {
  readonly code: string = 'STORAGE_SETUP_FAILED';
}

export class BucketMissingError extends StorageSetupError {
  override readonly code = 'BUCKET_MISSING';
}

export class BucketAccessDeniedError extends StorageSetupError {
  override readonly code = 'BUCKET_ACCESS_DENIED';
}

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

async function bucketExists(s3: S3Client, options: StorageSetupOptions): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: options.bucket }));
    return true;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return false;
    if (status === 403) {
      throw new BucketAccessDeniedError(
        `bucket '${options.bucket}': access denied for key '${options.credentials.accessKeyId}' (HeadBucket needs s3:ListBucket)`,
        { cause: error },
      );
    }
    throw new StorageSetupError(`bucket '${options.bucket}': ${(error as Error).message}`, { cause: error });
  }
}

/** Creates the bucket if it is missing and creation is allowed; returns whether it was created. */
async function ensureBucket(options: StorageSetupOptions): Promise<boolean> {
  const s3 = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: options.credentials,
  });
  try {
    if (await bucketExists(s3, options)) return false;
    const where = options.endpoint ?? `AWS S3 (${options.region})`;
    if (!options.createBucket) {
      throw new BucketMissingError(
        `bucket '${options.bucket}' does not exist at ${where}: create it, or set spec.storage.external.createBucket: true to let Gravix create it`,
      );
    }
    try {
      await s3.send(new CreateBucketCommand({ Bucket: options.bucket }));
    } catch (error) {
      // Another setup run created it in between.
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
    return true;
  } finally {
    s3.destroy();
  }
}

/**
 * Makes the object store ready before any worker writes: the bucket, then (MinIO) a user per component with its
 * least-privilege policy. Every step overwrites or skips what exists, so running it again changes nothing.
 */
export async function setUpStorage(options: StorageSetupOptions, log: Logger): Promise<void> {
  const created = await ensureBucket(options);
  log.info({ bucket: options.bucket, created }, created ? 'bucket created' : 'bucket exists');
  if (!options.users) return;
  if (!options.endpoint) throw new StorageSetupError('users: MinIO users need GRAVIX_S3_ENDPOINT');
  const admin = new MinioAdminClient({
    endpoint: options.endpoint,
    region: options.region,
    ...options.credentials,
  });
  for (const component of STORAGE_COMPONENTS) {
    const user = options.users[component];
    await admin.addCannedPolicy(policyName(component), buildComponentPolicy(component, options.bucket));
    await admin.addUser(user.accessKeyId, user.secretAccessKey);
    await admin.setUserPolicy(user.accessKeyId, policyName(component));
    log.info({ component, user: user.accessKeyId, policy: policyName(component) }, 'minio user ready');
  }
}
