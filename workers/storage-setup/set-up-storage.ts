import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { MinioAdminClient } from './adapters/minio-admin-client.js';
import { pollStore, probeClient } from './adapters/store-poll.js';
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
  /** How long to wait for the object store to answer at all (default 300 s); then STORAGE_UNREACHABLE. */
  waitForStoreMs?: number;
  /** Between two tries while it does not answer (default 2 s). */
  waitIntervalMs?: number;
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

export class StoreUnreachableError extends StorageSetupError {
  override readonly code = 'STORAGE_UNREACHABLE';
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

const storeName = (options: StorageSetupOptions) => options.endpoint ?? `AWS S3 (${options.region})`;

/**
 * Why the store gave no answer to one HeadBucket (a network error, or a 5xx: MinIO answers 503 while it starts), or
 * undefined once it answers with anything else: a 403 or a 404 is an answer, which ensureBucket reports.
 */
async function unanswered(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return undefined;
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined && status < 500) return undefined;
    const { name = 'Error', message = String(error) } = error as { name?: string; message?: string };
    return status === undefined ? `${name}: ${message}` : `HTTP ${status} ${name}`;
  }
}

/**
 * Waits until the object store answers. A new pipeline starts MinIO and this Job together: without the wait each
 * try before MinIO listened was a pod in Error (every install showed one or more), and the Job's growing backoff
 * (10 s, 20 s, 40 s ...) held the whole pipeline back minutes after MinIO was up. Logs why it waits, once per
 * distinct reason; past `waitForStoreMs` it fails, naming the store and the last reason. Each try has a 5 s
 * connect timeout (probeClient).
 */
async function waitForStoreToAnswer(options: StorageSetupOptions, log: Logger): Promise<void> {
  const s3 = probeClient(options);
  const waitMs = options.waitForStoreMs ?? 300_000;
  const store = storeName(options);
  try {
    await pollStore(() => unanswered(s3, options.bucket), {
      intervalMs: options.waitIntervalMs ?? 2_000,
      waiting: (problem) => log.warn({ store, problem }, 'waiting for the object store to answer'),
      deadline: {
        at: Date.now() + waitMs,
        giveUp: (problem) =>
          new StoreUnreachableError(
            `the object store at ${store} did not answer within ${Math.round(waitMs / 1000)} s (${problem})`,
          ),
      },
    });
  } finally {
    s3.destroy();
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
    const where = storeName(options);
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
 * Makes the object store ready before any worker writes: once it answers, the bucket, then (MinIO) a user per
 * component with its least-privilege policy. Every step overwrites or skips what exists, so running it again
 * changes nothing.
 */
export async function setUpStorage(options: StorageSetupOptions, log: Logger): Promise<void> {
  await waitForStoreToAnswer(options, log);
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
