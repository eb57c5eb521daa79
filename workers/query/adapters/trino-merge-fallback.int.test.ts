import { freePort } from '../../../testbin/harness/free-port.js';
import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { listTrinoQueries, startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import { RollupManifests } from './rollup-manifests.js';
import { TrinoQueryEngine, type HistogramMerge, type TrinoQueryEngineOptions } from './trino-query-engine.js';

/**
 * A Trino without Gravix's functions (one a user runs themselves, or a pod whose plugin did not build): the engine
 * finds it out when it opens, or when a statement fails for it after a Trino restart, and merges histograms in plain
 * SQL, so every call still answers (docs/adr/0146).
 */
let minio: MinioServer | undefined;
let trino: TrinoServer | undefined;
let store: S3ObjectStore | undefined;

afterAll(async () => {
  store?.destroy();
  await trino?.stop();
  await minio?.stop();
});

/** One MinIO, and the port every Trino of this file serves on (an engine's client outlives a Trino restart). */
async function setUp(): Promise<{ port: number; options: TrinoQueryEngineOptions }> {
  minio = await startMinio();
  await minio.createBucket('gravix');
  store = new S3ObjectStore(minio.s3Options('gravix'));
  const commits = new RollupManifests(store);
  const port = await freePort();
  return {
    port,
    options: {
      server: `http://127.0.0.1:${port}`,
      catalog: 'hive',
      schema: 'gravix',
      warehouse: 's3://gravix/',
      tiles: (tenant) => commits.tiles(tenant),
    },
  };
}

/** Trino's statements so far, with their states. */
const statements = () => listTrinoQueries(trino!);

describe('TrinoQueryEngine on a Trino without Gravix’s functions', () => {
  let setup: { port: number; options: TrinoQueryEngineOptions };

  it('turns to the plain-SQL merge when Trino restarts without them, and the call that found out still answers', async () => {
    setup = await setUp();
    trino = await startTrino({ s3: minio!, metastoreBucket: 'gravix', port: setup.port });
    const chosen: { merge: HistogramMerge; reason?: string }[] = [];
    const engine = await TrinoQueryEngine.open({
      ...setup.options,
      onHistogramMerge: (merge, reason) => chosen.push({ merge, ...(reason !== undefined && { reason }) }),
    });
    expect(engine.histogramMerge).toBe('native');
    await trino.stop();
    trino = await startTrino({ s3: minio!, metastoreBucket: 'gravix', port: setup.port, functions: false });
    const now = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const query = { tenant: 'acme', from: now - 3_600_000, to: now };
    await expect(engine.summaries({ ...query, groupBy: 'endpoint' })).resolves.toEqual([]);
    expect(engine.histogramMerge).toBe('sql');
    expect(chosen).toEqual([
      { merge: 'native' },
      { merge: 'sql', reason: expect.stringMatching(/gravix_merge_histograms/i) },
    ]);
    // The statement that failed, then the same call merging in plain SQL, which finished.
    const sent = await statements();
    expect(sent.filter((q) => q.query.includes('gravix_merge_histograms(m.')).map((q) => q.state)).toEqual([
      'FAILED',
    ]);
    expect(sent.filter((q) => q.query.includes('multimap_from_entries')).map((q) => q.state)).toEqual([
      'FINISHED',
    ]);
    await expect(engine.summaries({ ...query, groupBy: 'step', stepMs: 60_000 })).resolves.toEqual([]);
  }, 900_000);

  it('opens with the plain-SQL merge, says why, and its statements run', async () => {
    const chosen: { merge: HistogramMerge; reason?: string }[] = [];
    const warmUpFailures: Error[] = [];
    const before = new Set((await statements()).map((q) => q.queryId));
    const engine = await TrinoQueryEngine.open({
      ...setup.options,
      onHistogramMerge: (merge, reason) => chosen.push({ merge, ...(reason !== undefined && { reason }) }),
      onWarmUpFailed: (error) => warmUpFailures.push(error),
    });
    expect(engine.histogramMerge).toBe('sql');
    expect(chosen).toEqual([{ merge: 'sql', reason: expect.stringMatching(/gravix_merge_histograms/i) }]);
    // The warm-up ran the endpoint table's and the chart's statements, histograms merged in plain SQL, and they
    // finished on this Trino.
    expect(warmUpFailures).toEqual([]);
    const merging = (await statements()).filter(
      (q) => !before.has(q.queryId) && q.query.includes('multimap_from_entries'),
    );
    expect(merging.map((q) => q.state)).toEqual(['FINISHED', 'FINISHED']);
  }, 900_000);
});
