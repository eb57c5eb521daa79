import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { S3ObjectStore } from '../../workers/adapters/object-store/s3-object-store.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import { TrinoQueryEngine } from '../../workers/query/adapters/trino-query-engine.js';
import { chooseWarmUpTarget } from '../../workers/query/domain/warm-up-target.js';
import { benchEnd, benchTenant } from './dashboard-calls.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../testbin/harness/trino-server.js';
import { startS3RequestCounter, type S3RequestCounter } from './s3-request-counter.js';

export interface TrinoTarget {
  engine: TrinoQueryEngine;
  manifests: RollupManifests;
  /** Trino's HTTP address (its REST API gives each statement's timings). */
  url: string;
  /** Counts Trino's S3 requests when asked for (countS3). */
  s3Requests?: S3RequestCounter;
  /** A/B runs: with false, plans ignore the day-hours tiles (what the code before docs/adr/0075 read). */
  useHourTiles(on: boolean): void;
  /** A/B runs: with false, plans ignore the open-day tiles (what the code before docs/adr/0091 read). */
  useOpenDayTiles(on: boolean): void;
  /** Seconds to start Trino, to create the tables, and for the first dashboard call after that. */
  startSeconds: number;
  openSeconds: number;
  stop(): Promise<void>;
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith('.parquet') || entry.name.endsWith('.json')) yield path;
  }
}

/** Copies the dataset's metrics files and hour manifests into the bucket, 8 puts at a time. */
async function upload(root: string, store: S3ObjectStore): Promise<number> {
  const paths: string[] = [];
  for await (const path of files(join(root, 'metrics'))) paths.push(path);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      await store.put(relative(root, path).split('\\').join('/'), await readFile(path));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return paths.length;
}

/**
 * A real MinIO holding the dataset and a real single-node Trino started with the JVM flags and Hive catalog a
 * pipeline deploys (cdk8s/trino-settings.ts; production JIT, not the tests' fast-start).
 */
export async function startTrinoTarget(
  root: string,
  options: { countS3?: boolean } = {},
): Promise<TrinoTarget> {
  const bucket = 'gravix';
  let minio: MinioServer | undefined;
  let trino: TrinoServer | undefined;
  let store: S3ObjectStore | undefined;
  let counter: S3RequestCounter | undefined;
  try {
    minio = await startMinio();
    counter = options.countS3 ? await startS3RequestCounter(minio.endpoint) : undefined;
    await minio.createBucket(bucket);
    store = new S3ObjectStore(minio.s3Options(bucket));
    const started = performance.now();
    const s3 = counter ? { ...minio, endpoint: counter.endpoint } : minio;
    const [server] = await Promise.all([
      startTrino({ s3, metastoreBucket: bucket, jit: 'production' }),
      upload(root, store),
    ]);
    trino = server;
    const startSeconds = (performance.now() - started) / 1000;
    const manifests = new RollupManifests(store);
    let hourTiles = true;
    let openDayTiles = true;
    const opened = performance.now();
    const engine = await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: `s3://${bucket}/`,
      tiles: async (tenant) => {
        const tiles = await manifests.tiles(tenant);
        return {
          ...tiles,
          ...(!hourTiles && { hourTiles: new Set<string>() }),
          ...(!openDayTiles && { openDays: new Map<string, number>() }),
        };
      },
      // What the query server warms up on (query-server.ts: the newest tenant's newest week). The dataset holds
      // no manifests, so the chooser gets the freshness they would state for its one tenant.
      warmUpTarget: async () =>
        chooseWarmUpTarget(new Map([[benchTenant, { lastCommitAt: benchEnd, newestEventAt: benchEnd - 1 }]])),
    });
    const openSeconds = (performance.now() - opened) / 1000;
    const [t, m, s, c] = [trino, minio, store, counter];
    const stop = async () => {
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      s.destroy();
      await t.stop();
      await c?.stop();
      await m.stop();
    };
    // A bench stopped by a timeout or Ctrl-C must not leave a 2 GiB Trino and a MinIO running on a shared machine.
    const interrupted = (signal: NodeJS.Signals) =>
      void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
    return {
      engine,
      manifests,
      url: trino.url,
      useHourTiles: (on) => void (hourTiles = on),
      useOpenDayTiles: (on) => void (openDayTiles = on),
      ...(c ? { s3Requests: c } : {}),
      startSeconds: Number(startSeconds.toFixed(1)),
      openSeconds: Number(openSeconds.toFixed(1)),
      stop,
    };
  } catch (error) {
    store?.destroy();
    await trino?.stop();
    await counter?.stop();
    await minio?.stop();
    throw error;
  }
}
