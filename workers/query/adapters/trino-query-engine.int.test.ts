import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import {
  buildPercentileCases,
  describeQueryEngineContract,
  loadContractData,
} from '../testing/query-engine.contract.js';
import { describeResultCacheContract } from '../testing/result-cache.contract.js';
import { describeCommitWhileQuerying } from '../testing/commit-while-querying.contract.js';
import { RollupManifests } from './rollup-manifests.js';
import { TrinoQueryEngine } from './trino-query-engine.js';

let minio: MinioServer;
let trino: TrinoServer;
let store: S3ObjectStore;
const bucket = 'gravix';
// Few, rich generated cases: every query is a Trino round trip, and this file starts Trino once.
const cases = buildPercentileCases(2);
let opened: Promise<TrinoQueryEngine> | undefined;

afterAll(async () => {
  store?.destroy();
  await trino?.stop();
  await minio?.stop();
});

/** One MinIO and one Trino for every suite in this file. */
function openTrino(): Promise<TrinoQueryEngine> {
  opened ??= (async () => {
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
    return openEngine();
  })();
  return opened;
}

/** An engine as one query replica opens it (its own commits, CREATE TABLE IF NOT EXISTS included). */
function openEngine(): Promise<TrinoQueryEngine> {
  const commits = new RollupManifests(store, { maxAgeMs: 0 });
  return TrinoQueryEngine.open({
    server: trino.url,
    catalog: trino.catalog,
    schema: 'gravix',
    warehouse: `s3://${bucket}/`,
    dayTiles: (tenant) => commits.dayTiles(tenant),
  });
}

describeQueryEngineContract(
  'Trino over MinIO (Hive external tables)',
  async () => ({ engine: await openTrino(), store }),
  { cases, depth: 'lean' },
);

describeResultCacheContract('Trino over MinIO', async () => ({ engine: await openTrino(), store }));

describeCommitWhileQuerying('Trino over MinIO', async () => ({
  engine: await openTrino(),
  store,
  openReplica: openEngine,
}));
