import { join } from 'node:path';
import type { MinioServer } from '../../../testbin/harness/minio-server.js';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';

/** Where the fault trials' ingester uploads: a local store in its data directory, or a bucket on real MinIO. */
export type FaultStore = { kind: 'local' } | { kind: 'minio'; minio: MinioServer; bucket: string };

/** The GRAVIX_STORE settings `gravix ingest` and `gravix rollup` get for the store. */
export function buildFaultStoreEnv(store: FaultStore, dataDir: string): Record<string, string> {
  if (store.kind === 'local') return { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir };
  return { ...store.minio.storeEnv(store.bucket), GRAVIX_DATA_DIR: dataDir };
}

/** The same store, opened in the test process to audit it. */
export function openFaultStore(store: FaultStore, dataDir: string): ObjectStore & { destroy?: () => void } {
  if (store.kind === 'local') return new LocalObjectStore(join(dataDir, 'store'));
  return new S3ObjectStore(store.minio.s3Options(store.bucket));
}

const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/**
 * Raw and dead-letter objects are written once. Listed after every cycle, any object whose etag changed
 * (replaced) or that disappeared is counted against the state the previous ingester was killed in: the
 * restart that followed that kill did it.
 */
export class ObjectHistory {
  readonly replaced: Record<string, number> = {};
  readonly deleted: Record<string, number> = {};
  private objects = new Map<string, string>();
  private previousState = 'start';

  constructor(private readonly store: ObjectStore) {}

  async record(state: string): Promise<void> {
    const now = new Map<string, string>();
    for (const prefix of ['raw/', 'dead-letter/'])
      for (const info of await this.store.list(prefix)) now.set(info.key, info.etag);
    const after = `after ${this.previousState}`;
    for (const [key, etag] of this.objects) {
      const current = now.get(key);
      if (current === undefined) bump(this.deleted, after);
      else if (current !== etag) bump(this.replaced, after);
    }
    this.objects = now;
    this.previousState = state;
  }
}
