import { createServer, type Server, type Socket } from 'node:net';
import { BasicAuth, Trino } from 'trino-client';
import { freePort } from '../../../testbin/harness/free-port.js';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { metricsTableNames } from '../../domain/metrics-layout.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import { QueryEngineTimeoutError } from '../app/query-engine.js';
import { RollupManifests } from './rollup-manifests.js';
import { TrinoQueryEngine, trinoTableName } from './trino-query-engine.js';
import { runTrinoStatement, TrinoStatementError } from './trino-statement-runner.js';

/** A listener that accepts every connection and never answers: a store that stalls instead of refusing. */
async function startBlackHole(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

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
    expect(tables.sort()).toEqual(metricsTableNames.map(trinoTableName).sort());
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
    expect(tables.sort()).toEqual(metricsTableNames.map(trinoTableName).sort());
  }, 900_000);

  it('opens when Trino kills its warm-up at query_max_execution_time, and says so instead of failing', async () => {
    // A query pod restarted once at load 45: a cold Trino's warm-up statements outlasted the 10 s limit the engine
    // sets (EXCEEDED_TIME_LIMIT) and open() failed after the tables existed, so the server exited. Here the store
    // stalls as the warm-up starts (every connection accepted, none answered): each statement waits until Trino's
    // own limit ends it, 2 s here.
    const server = trino ?? (trino = await startTrino({ s3: minio, metastoreBucket: bucket }));
    const failures: Error[] = [];
    let hole: { close(): Promise<void> } | undefined;
    const opening = TrinoQueryEngine.open({
      server: server.url,
      catalog: 'hive',
      schema: 'warm_up_killed',
      warehouse: `s3://${bucket}/`,
      // No listing of the (stalled) store for the snapshot: only Trino meets it.
      tiles: async () => ({
        dayTiles: new Set(),
        hourTiles: new Set(),
        quarterTiles: new Set(),
        openDays: new Map(),
        openHours: new Map(),
      }),
      queryTimeoutMs: 2_000,
      warmUpTarget: async () => {
        await minio.pause();
        hole = await startBlackHole(Number(new URL(minio.endpoint).port));
        return undefined;
      },
      onWarmUpFailed: (error) => failures.push(error),
    });
    const settled = await opening.then(
      () => 'opened',
      (error: unknown) => error,
    );
    await hole?.close();
    await minio.start();
    // The old engine rejected here with 'trino query failed: Query exceeded the maximum execution time limit of 2.00s'.
    expect(settled).toBe('opened');
    expect(
      failures.map((e) => [e.constructor.name, (e.cause as TrinoStatementError).errorName, e.message]),
    ).toEqual([
      [
        QueryEngineTimeoutError.name,
        'EXCEEDED_TIME_LIMIT',
        'trino query failed: Query exceeded the maximum execution time limit of 2.00s',
      ],
    ]);
    // The engine it handed out answers once the store is back.
    const engine = await opening;
    const to = Date.now();
    await expect(
      engine.counts({ tenant: 'nobody', from: to - 3_600_000, to, groupBy: 'service' }),
    ).resolves.toEqual([]);
    await engine.close();
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
