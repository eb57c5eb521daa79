import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Float64, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { BasicAuth, Trino } from 'trino-client';
import { encodeParquet } from '../../workers/adapters/parquet-codec.js';
import { startMinio, type MinioServer } from '../harness/minio-server.js';
import { startTrino, type TrinoServer } from '../harness/trino-server.js';

async function queryRows(trino: Trino, sql: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const result of await trino.query(sql)) {
    if (result.error) throw new Error(`trino: ${result.error.message}`);
    rows.push(...(result.data ?? []));
  }
  return rows;
}

describe('Trino from the testbin', () => {
  let minio: MinioServer;
  let trinoServer: TrinoServer;
  let trino: Trino;
  const bucket = 'warehouse';

  beforeAll(async () => {
    minio = await startMinio();
    const s3 = new S3Client({
      endpoint: minio.endpoint,
      region: minio.region,
      forcePathStyle: true,
      credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const table = new Table({
      service: vectorFromArray(['checkout', 'checkout', 'search'], new Utf8()),
      requests: vectorFromArray([10n, 5n, 7n], new Int64()),
      latency_ms: vectorFromArray([12.5, 30, 8.25], new Float64()),
    });
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'facts/part-0.parquet', Body: encodeParquet(table) }),
    );
    s3.destroy();
    trinoServer = await startTrino({ s3: minio, metastoreBucket: bucket });
    trino = Trino.create({ server: trinoServer.url, catalog: 'hive', auth: new BasicAuth('gravix-test') });
  });

  afterAll(async () => {
    await trinoServer?.stop();
    await minio?.stop();
  });

  it('answers SELECT 1', async () => {
    expect(await queryRows(trino, 'SELECT 1')).toEqual([[1]]);
  });

  it('reads a Parquet file from MinIO through the Hive connector', async () => {
    await queryRows(
      trino,
      `CREATE SCHEMA IF NOT EXISTS hive.foundation WITH (location = 's3://${bucket}/schemas/foundation')`,
    );
    await queryRows(
      trino,
      `CREATE TABLE hive.foundation.facts (service varchar, requests bigint, latency_ms double)
       WITH (external_location = 's3://${bucket}/facts', format = 'PARQUET')`,
    );
    const rows = await queryRows(
      trino,
      'SELECT service, sum(requests), max(latency_ms) FROM hive.foundation.facts GROUP BY service ORDER BY service',
    );
    expect(rows).toEqual([
      ['checkout', 15, 30],
      ['search', 7, 8.25],
    ]);
  });
});
