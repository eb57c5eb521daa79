import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, relative } from 'node:path';
import { S3ObjectStore } from '../../workers/adapters/object-store/s3-object-store.js';
import { RollupManifests } from '../../workers/query/adapters/rollup-manifests.js';
import {
  TrinoQueryEngine,
  type TrinoQueryEngineOptions,
} from '../../workers/query/adapters/trino-query-engine.js';
import { chooseWarmUpTarget } from '../../workers/query/domain/warm-up-target.js';
import { benchEnd, benchTenant } from './dashboard-calls.js';
import { startMinio } from '../../testbin/harness/minio-server.js';
import { startTrino } from '../../testbin/harness/trino-server.js';
import { startS3RequestCounter, type S3RequestCounter } from './s3-request-counter.js';
import { StartedParts } from './started-parts.js';

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
  /** A/B runs: with false, plans ignore the open-hour tiles (what the code before docs/adr/0123 read). */
  useOpenHourTiles(on: boolean): void;
  /**
   * A/B runs: a second engine on the same Trino whose statements merge histograms in plain SQL (what the code
   * before docs/adr/0146 ran, and what a Trino without Gravix's functions runs).
   */
  openSqlMergeEngine(): Promise<TrinoQueryEngine>;
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

/** The signals that end a bench run early (Ctrl-C, `timeout`, a closed terminal) and their shells' exit codes. */
const interruptions = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type Interruption = keyof typeof interruptions;

export class BenchInterruptedError extends Error {
  readonly code = 'BENCH_INTERRUPTED';
  constructor(readonly signal: Interruption) {
    super(`the bench was interrupted by ${signal}`);
  }
}

export interface TrinoTargetOptions {
  countS3?: boolean;
  /** Where interrupting signals arrive and how the process ends after them (tests pass their own). */
  signals?: {
    source: Pick<NodeJS.EventEmitter, 'once' | 'off'>;
    exit: (code: number) => void;
  };
}

/** How long an interrupted start-up may take to settle once everything it started is stopped. */
const settleAfterInterruptMs = 30_000;

/**
 * A real MinIO holding the dataset and a real single-node Trino started with the JVM flags and Hive catalog a
 * pipeline deploys (cdk8s/trino-settings.ts; production JIT, not the tests' fast-start). An interrupting signal
 * at any moment, start-up included, stops both before the process exits: a bench killed by a timeout or Ctrl-C
 * must not leave a 2 GiB Trino and a MinIO running on a shared machine.
 */
export async function startTrinoTarget(root: string, options: TrinoTargetOptions = {}): Promise<TrinoTarget> {
  const { source, exit } = options.signals ?? { source: process, exit: (code) => process.exit(code) };
  const abort = new AbortController();
  const parts = new StartedParts();
  let startUp: Promise<unknown> = Promise.resolve();
  const interrupted = (signal: Interruption) => {
    if (abort.signal.aborted) return;
    abort.abort(new BenchInterruptedError(signal));
    void (async () => {
      // What is running stops now (a warm-up in flight then fails); what is still starting stops on the abort.
      await parts.stopAll();
      await Promise.race([
        startUp.catch(() => undefined),
        sleep(settleAfterInterruptMs, undefined, { ref: false }),
      ]);
      await parts.stopAll();
    })().finally(() => exit(interruptions[signal]));
  };
  const listen = () => {
    for (const signal of Object.keys(interruptions) as Interruption[]) source.once(signal, interrupted);
  };
  const unlisten = () => {
    for (const signal of Object.keys(interruptions) as Interruption[]) source.off(signal, interrupted);
  };
  listen();
  const kept = (stop: () => Promise<void> | void) => parts.add(stop, () => abort.signal.reason);
  const started = startParts(root, options, abort.signal, kept);
  startUp = started;
  try {
    const target = await started;
    return {
      ...target,
      stop: async () => {
        unlisten();
        await parts.stopAll();
      },
    };
  } catch (error) {
    await parts.stopAll();
    if (!abort.signal.aborted) unlisten();
    throw error;
  }
}

type Keep = (stop: () => Promise<void> | void) => Promise<void>;

/** Starts MinIO (with the counting proxy), uploads the dataset, starts Trino and opens the engine, keeping each part. */
async function startParts(
  root: string,
  options: TrinoTargetOptions,
  signal: AbortSignal,
  keep: Keep,
): Promise<Omit<TrinoTarget, 'stop'>> {
  const bucket = 'gravix';
  const minio = await startMinio({ signal });
  await keep(() => minio.stop());
  const counter = options.countS3 ? await startS3RequestCounter(minio.endpoint) : undefined;
  if (counter) await keep(() => counter.stop());
  await minio.createBucket(bucket);
  const store = new S3ObjectStore(minio.s3Options(bucket));
  await keep(() => store.destroy());
  const started = performance.now();
  const s3 = counter ? { ...minio, endpoint: counter.endpoint } : minio;
  // Both settle before either's failure is thrown: a Trino that came up while the upload failed is kept (and so
  // stopped), and an interrupted start-up waits until the Trino it launched is stopped.
  const [trinoStart, uploaded] = await Promise.allSettled([
    startTrino({ s3, metastoreBucket: bucket, jit: 'production', signal }),
    upload(root, store),
  ]);
  if (trinoStart.status === 'rejected') throw trinoStart.reason;
  const trino = trinoStart.value;
  await keep(() => trino.stop());
  if (uploaded.status === 'rejected') throw uploaded.reason;
  const startSeconds = (performance.now() - started) / 1000;
  const manifests = new RollupManifests(store);
  let hourTiles = true;
  let openDayTiles = true;
  let openHourTiles = true;
  const opened = performance.now();
  const engineOptions: TrinoQueryEngineOptions = {
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
        ...(!openHourTiles && { openHours: new Map<number, number>() }),
      };
    },
    // What the query server warms up on (query-server.ts: the newest tenant's newest week). The dataset holds
    // no manifests, so the chooser gets the freshness they would state for its one tenant.
    warmUpTarget: async () =>
      chooseWarmUpTarget(new Map([[benchTenant, { lastCommitAt: benchEnd, newestEventAt: benchEnd - 1 }]])),
  };
  const engine = await TrinoQueryEngine.open(engineOptions);
  signal.throwIfAborted();
  const openSeconds = (performance.now() - opened) / 1000;
  return {
    engine,
    manifests,
    url: trino.url,
    useHourTiles: (on) => void (hourTiles = on),
    useOpenDayTiles: (on) => void (openDayTiles = on),
    useOpenHourTiles: (on) => void (openHourTiles = on),
    openSqlMergeEngine: () => TrinoQueryEngine.open({ ...engineOptions, histogramMerge: 'sql' }),
    ...(counter ? { s3Requests: counter } : {}),
    startSeconds: Number(startSeconds.toFixed(1)),
    openSeconds: Number(openSeconds.toFixed(1)),
  };
}
