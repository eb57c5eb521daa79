import { startMinio, type MinioServer } from '../../../testbin/harness/minio-server.js';
import { startTrino, type TrinoServer } from '../../../testbin/harness/trino-server.js';
import { S3ObjectStore } from '../../adapters/object-store/s3-object-store.js';
import { RollupManifests } from './rollup-manifests.js';
import { TrinoQueryEngine, type HistogramMerge } from './trino-query-engine.js';

/**
 * A Trino without Gravix's functions (one a user runs themselves, or a pod whose plugin did not build): the engine
 * finds it out when it opens and merges histograms in plain SQL, so every statement still runs (docs/adr/0146).
 */
let minio: MinioServer | undefined;
let trino: TrinoServer | undefined;
let store: S3ObjectStore | undefined;

afterAll(async () => {
  store?.destroy();
  await trino?.stop();
  await minio?.stop();
});

describe('TrinoQueryEngine on a Trino without Gravix’s functions', () => {
  it('opens with the plain-SQL merge, says why, and its statements run', async () => {
    minio = await startMinio();
    await minio.createBucket('gravix');
    store = new S3ObjectStore(minio.s3Options('gravix'));
    const commits = new RollupManifests(store);
    trino = await startTrino({ s3: minio, metastoreBucket: 'gravix', functions: false });
    const chosen: { merge: HistogramMerge; reason?: string }[] = [];
    const warmUpFailures: Error[] = [];
    const engine = await TrinoQueryEngine.open({
      server: trino.url,
      catalog: trino.catalog,
      schema: 'gravix',
      warehouse: 's3://gravix/',
      tiles: (tenant) => commits.tiles(tenant),
      onHistogramMerge: (merge, reason) => chosen.push({ merge, ...(reason !== undefined && { reason }) }),
      onWarmUpFailed: (error) => warmUpFailures.push(error),
    });
    expect(engine.histogramMerge).toBe('sql');
    expect(chosen).toEqual([{ merge: 'sql', reason: expect.stringMatching(/gravix_merge_histograms/i) }]);
    // The warm-up ran the endpoint table's and the chart's statements, histograms merged in plain SQL, and they
    // finished on this Trino.
    expect(warmUpFailures).toEqual([]);
    const statements = (await (
      await fetch(`${trino.url}/v1/query`, { headers: { 'X-Trino-User': 'gravix' } })
    ).json()) as { query: string; state: string }[];
    const merging = statements.filter((q) => q.query.includes('multimap_from_entries'));
    expect(merging.map((q) => q.state)).toEqual(['FINISHED', 'FINISHED']);
  }, 900_000);
});
