import { BasicAuth, Trino } from 'trino-client';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { metricsTableNames } from '../../domain/metrics-layout.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import { RollupManifests } from './rollup-manifests.js';
import { TrinoQueryEngine } from './trino-query-engine.js';
import { runTrinoStatement } from './trino-statement-runner.js';

/**
 * A new pipeline starts its query server and Trino together. The query server used to exit on the first refused
 * connection and was restarted by the kubelet (3 times on the test cluster) until Trino answered; now opening the
 * engine waits for Trino, with real Trino starting after the engine began opening, and for the object store
 * behind a Trino that answers (MinIO paused while the engine opens, then back).
 */
describe('TrinoQueryEngine.open before Trino answers', () => {
  let minio: MinioServer;
  let trino: TrinoServer | undefined;
  const bucket = 'gravix';

  beforeAll(async () => {
    minio = await startMinio();
    await minio.createBucket(bucket);
  }, 120_000);

  afterAll(async () => {
    await trino?.stop();
    await minio?.stop();
  });

  it('waits for a Trino that is still starting and then creates its tables', async () => {
    const port = await freePort();
    const store = new S3ObjectStore(minio.s3Options(bucket));
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    const waits: string[] = [];
    const opening = TrinoQueryEngine.open({
      server: `http://127.0.0.1:${port}`,
      catalog: 'hive',
      schema: 'opened_early',
      warehouse: `s3://${bucket}/`,
      tiles: (tenant) => commits.tiles(tenant),
      startWaitMs: 900_000,
      onWaitingForTrino: (error) => waits.push(error.message),
    });
    // Nothing listens on the port yet: the engine has been refused at least once before Trino is started.
    const settled = opening.then(
      () => 'opened',
      (error: unknown) => error,
    );
    let done = false;
    void settled.then(() => (done = true));
    while (waits.length === 0 && !done) await new Promise((r) => setTimeout(r, 100));
    // The old engine failed here at once: "connect ECONNREFUSED" with nothing listening yet.
    expect(done ? await settled : 'waiting').toBe('waiting');
    trino = await startTrino({ s3: minio, metastoreBucket: bucket, port });
    const engine = await opening;
    expect(await settled).toBe('opened');
    expect(waits.length).toBeGreaterThan(0);
    await engine.close();
    const client = Trino.create({ server: trino.url, catalog: 'hive', auth: new BasicAuth('gravix') });
    const tables = (await runTrinoStatement(client, 'SHOW TABLES FROM hive.opened_early')).map(
      (r) => r['Table'],
    );
    expect(tables.sort()).toEqual([...metricsTableNames].sort());
  }, 900_000);

  it('waits while Trino answers but cannot reach the object store, then creates its tables', async () => {
    // A Trino that is up over a MinIO that is not (a MinIO pod restarting while a query pod starts): Trino answers
    // every statement, with an error about the store. The query server used to exit on it and restart.
    const server = trino ?? (trino = await startTrino({ s3: minio, metastoreBucket: bucket }));
    await minio.pause();
    const store = new S3ObjectStore(minio.s3Options(bucket));
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    const waits: string[] = [];
    const opening = TrinoQueryEngine.open({
      server: server.url,
      catalog: 'hive',
      schema: 'store_down',
      warehouse: `s3://${bucket}/`,
      tiles: (tenant) => commits.tiles(tenant),
      startWaitMs: 900_000,
      onWaitingForTrino: (error) => waits.push(error.message),
    });
    const settled = opening.then(
      () => 'opened',
      (error: unknown) => error,
    );
    let done = false;
    void settled.then(() => (done = true));
    while (waits.length === 0 && !done) await new Promise((r) => setTimeout(r, 100));
    // The old engine failed here at once: "Could not read database schema" (HIVE_METASTORE_ERROR).
    expect(done ? await settled : 'waiting').toBe('waiting');
    expect(waits[0]).toBe('trino query failed: Could not read database schema');
    await minio.start();
    const engine = await opening;
    expect(await settled).toBe('opened');
    await engine.close();
    const client = Trino.create({ server: server.url, catalog: 'hive', auth: new BasicAuth('gravix') });
    const tables = (await runTrinoStatement(client, 'SHOW TABLES FROM hive.store_down')).map(
      (r) => r['Table'],
    );
    expect(tables.sort()).toEqual([...metricsTableNames].sort());
  }, 900_000);

  it('gives up after its wait with the refusal as the error', async () => {
    const port = await freePort();
    const store = new S3ObjectStore(minio.s3Options(bucket));
    const commits = new RollupManifests(store, { maxAgeMs: 0 });
    let waited = 0;
    await expect(
      TrinoQueryEngine.open({
        server: `http://127.0.0.1:${port}`,
        catalog: 'hive',
        schema: 'never',
        warehouse: `s3://${bucket}/`,
        tiles: (tenant) => commits.tiles(tenant),
        startWaitMs: 3_000,
        onWaitingForTrino: () => (waited += 1),
      }),
    ).rejects.toThrow(/trino query failed/);
    expect(waited).toBeGreaterThan(0);
  }, 60_000);
});
