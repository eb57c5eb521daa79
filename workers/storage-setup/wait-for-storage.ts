import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { COMPONENT_ACCESS, type StorageComponent } from './domain/component-policies.js';
import type { Credentials } from './set-up-storage.js';
import { pollStore, probeClient } from './adapters/store-poll.js';

export interface WaitForStorageOptions {
  component: StorageComponent;
  bucket: string;
  endpoint: string | undefined;
  region: string;
  /** The component's own credentials, as its worker gets them. */
  credentials: Credentials;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Why the store is not usable yet, from one probe: undefined when it is. */
async function probe(s3: S3Client, options: WaitForStorageOptions): Promise<string | undefined> {
  // A GET (not HEAD, whose 404 has no body) of a key that never exists, under a prefix the component may read:
  // NoSuchKey means the bucket exists and the credentials work.
  const key = `${COMPONENT_ACCESS[options.component].read[0]}.storage-probe`;
  try {
    await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
    return undefined;
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    if (name === 'NoSuchKey') return undefined;
    return `${name}: ${(error as Error).message}`;
  }
}

/**
 * Blocks until the component can use the bucket with its own credentials (the bucket exists and its user has been
 * created): the init container of the worker pods, so none starts writing, or turns Ready, before the storage Job
 * has run (docs/adr/0063). Logs why it waits, once per distinct reason.
 */
export async function waitForStorage(options: WaitForStorageOptions, log: Logger): Promise<void> {
  const s3 = probeClient(options);
  try {
    await pollStore(() => probe(s3, options), {
      intervalMs: options.intervalMs ?? 3000,
      waiting: (problem) => log.warn({ bucket: options.bucket, problem }, 'waiting for the bucket'),
      ...(options.signal && { signal: options.signal }),
    });
    log.info({ bucket: options.bucket, component: options.component }, 'bucket ready');
  } finally {
    s3.destroy();
  }
}
