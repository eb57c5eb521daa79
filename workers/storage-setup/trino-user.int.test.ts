import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { RollupManifests } from '../query/adapters/rollup-manifests.js';
import { TrinoQueryEngine } from '../query/adapters/trino-query-engine.js';
import {
  buildPercentileCases,
  describeQueryEngineContract,
  loadContractData,
} from '../query/testing/query-engine.contract.js';
import { STORAGE_COMPONENTS, type StorageComponent } from './domain/component-policies.js';
import { setUpStorage, type Credentials } from './set-up-storage.js';

/**
 * The query engine contract on Trino running as the `trino` MinIO user and the query service reading manifests as
 * the `query` user, both with only their least-privilege policies (set-up-storage.ts): Trino's Hive connector
 * (CREATE SCHEMA in its file metastore, external tables, partition sync, scans) needs nothing more. The data is
 * loaded with the root user; who may write it is set-up-storage.int.test.ts's business.
 */
let minio: MinioServer;
let trino: TrinoServer;
const stores: S3ObjectStore[] = [];
const bucket = 'gravix';
const cases = buildPercentileCases(0);

afterAll(async () => {
  for (const s of stores) s.destroy();
  await trino?.stop();
  await minio?.stop();
});

describeQueryEngineContract(
  'Trino and the query service as their own least-privilege MinIO users',
  async () => {
    minio = await startMinio();
    const users = Object.fromEntries(
      STORAGE_COMPONENTS.map((c) => [
        c,
        {
          accessKeyId: `gravix-${c}-${randomBytes(3).toString('hex')}`,
          secretAccessKey: randomBytes(18).toString('hex'),
        },
      ]),
    ) as Record<StorageComponent, Credentials>;
    const root = { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey };
    await setUpStorage(
      {
        bucket,
        endpoint: minio.endpoint,
        region: minio.region,
        credentials: root,
        createBucket: true,
        users,
      },
      pino({ level: 'silent' }),
    );
    const storeAs = (credentials: Credentials) => {
      const store = new S3ObjectStore({
        bucket,
        endpoint: minio.endpoint,
        region: minio.region,
        ...credentials,
      });
      stores.push(store);
      return store;
    };
    const trinoUser = {
      ...minio,
      accessKey: users.trino.accessKeyId,
      secretKey: users.trino.secretAccessKey,
    };
    // The data is loaded, and later rolled up, by the root user (who may write is set-up-storage's business).
    const writer = storeAs(root);
    const [server] = await Promise.all([
      startTrino({ s3: trinoUser, metastoreBucket: bucket }),
      loadContractData(writer, cases),
    ]);
    trino = server;
    // The query server lists the commits with its own least-privilege user.
    const queryStore = storeAs(users.query);
    const commits = new RollupManifests(queryStore);
    const engine = await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: `s3://${bucket}/`,
      tiles: (tenant) => commits.tiles(tenant),
    });
    return { engine, store: queryStore, writer };
  },
  { cases, depth: 'lean' },
);
