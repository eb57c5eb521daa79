import { randomBytes } from 'node:crypto';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import { describeRollupBehaviour } from '../testing/rollup.contract.js';

let minio: MinioServer;
const stores: S3ObjectStore[] = [];

beforeAll(async () => {
  minio = await startMinio();
});
afterAll(async () => {
  stores.forEach((s) => s.destroy());
  await minio?.stop();
});

describeRollupBehaviour('real MinIO', async () => {
  const bucket = `rollup-${randomBytes(6).toString('hex')}`;
  await minio.createBucket(bucket);
  const store = new S3ObjectStore(minio.s3Options(bucket));
  stores.push(store);
  return store;
});
