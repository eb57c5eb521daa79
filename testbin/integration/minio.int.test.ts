import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMinio, type MinioServer } from '../harness/minio-server.js';

describe('MinIO from the testbin', () => {
  let minio: MinioServer;
  let s3: S3Client;
  const Bucket = 'foundation';

  beforeAll(async () => {
    minio = await startMinio();
    s3 = new S3Client({
      endpoint: minio.endpoint,
      region: minio.region,
      forcePathStyle: true,
      credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    });
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  afterAll(async () => {
    s3?.destroy();
    await minio?.stop();
  });

  it('returns the bytes that were put', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a/b.txt', Body: 'hello gravix' }));
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello gravix');
  });

  it('answers 412 to a conditional put on a key that already exists', async () => {
    const put = () =>
      s3.send(new PutObjectCommand({ Bucket, Key: 'manifest.json', Body: '{}', IfNoneMatch: '*' }));
    await put();
    await expect(put()).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });
});
