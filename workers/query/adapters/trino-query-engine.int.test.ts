import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import {
  buildPercentileCases,
  describeQueryEngineContract,
  loadContractData,
} from '../testing/query-engine.contract.js';
import { TrinoQueryEngine } from './trino-query-engine.js';

let minio: MinioServer;
let trino: TrinoServer;
let store: S3ObjectStore;
const bucket = 'gravix';
// Few, rich generated cases: every query is a Trino round trip, and this file starts Trino once.
const cases = buildPercentileCases(2);

afterAll(async () => {
  store?.destroy();
  await trino?.stop();
  await minio?.stop();
});

describeQueryEngineContract(
  'Trino over MinIO (Hive external tables)',
  async () => {
    minio = await startMinio();
    await minio.createBucket(bucket);
    store = new S3ObjectStore({
      bucket,
      endpoint: minio.endpoint,
      region: minio.region,
      accessKeyId: minio.accessKey,
      secretAccessKey: minio.secretKey,
    });
    const [server] = await Promise.all([
      startTrino({ s3: minio, metastoreBucket: bucket }),
      loadContractData(store, cases),
    ]);
    trino = server;
    const engine = await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: `s3://${bucket}/`,
    });
    return { engine, store };
  },
  { cases, depth: 'lean' },
);
