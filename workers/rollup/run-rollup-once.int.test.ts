import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { describeRollupBehaviour } from './testing/rollup.contract.js';

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
  const credentials = { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey };
  const admin = new S3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    forcePathStyle: true,
    credentials,
  });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();
  const store = new S3ObjectStore({ bucket, endpoint: minio.endpoint, region: minio.region, ...credentials });
  stores.push(store);
  return store;
});
