import { randomBytes } from 'node:crypto';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { describeObjectStoreContract } from './object-store.contract.js';
import { ObjectStoreUnavailableError } from './object-store.js';
import { S3ObjectStore } from './s3-object-store.js';

let minio: MinioServer;
const stores: S3ObjectStore[] = [];

beforeAll(async () => {
  minio = await startMinio();
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await minio?.stop();
});

async function freshStore(overrides: { maxAttempts?: number } = {}): Promise<S3ObjectStore> {
  const bucket = `b-${randomBytes(6).toString('hex')}`;
  await minio.createBucket(bucket);
  const store = new S3ObjectStore({ ...minio.s3Options(bucket), ...overrides });
  stores.push(store);
  return store;
}

describeObjectStoreContract('S3 on real MinIO', () => freshStore());

describe('S3ObjectStore against MinIO', () => {
  it('reports OBJECT_STORE_UNAVAILABLE while MinIO is down and works again once it is back', async () => {
    const store = await freshStore({ maxAttempts: 1 });
    await minio.pause();
    try {
      await expect(store.put('o/1', new Uint8Array([1]))).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
    } finally {
      await minio.start();
    }
    await expect(store.put('o/1', new Uint8Array([1]))).resolves.toHaveProperty('etag');
  });
});
