import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { buildRawPartition } from '../domain/raw-partition.js';
import { loadManifest } from './app/commit-partition.js';
import { computePartition } from './app/compute-partition.js';
import { buildDataFileKey, buildManifestKey } from '../domain/metrics-layout.js';
import { runRollupOnce } from './app/run-rollup-once.js';
import { chunk, putRawSegment } from './testing/raw-segments.js';
import { expectRowsMatchOracle, readCommittedRows } from './testing/rollup-oracle.js';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { parseRunSummary, spawnRollup } from './testing/rollup-processes.js';
import { buildSeededFacts } from './testing/seeded-raw-events.js';
import { createHash } from 'node:crypto';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const p10 = buildRawPartition('acme', hour10);
// Far enough in the future that the hour is sealed for the child processes, which use the real clock.
const policy = {
  latenessMs: 300_000,
  rawRetentionMs: 3650 * 86_400_000,
  metricsRetentionMs: 3650 * 86_400_000,
};
const processEnv = { GRAVIX_RAW_RETENTION_DAYS: '3650', GRAVIX_METRICS_RETENTION_DAYS: '3650' };

let cli: string;
let minio: MinioServer;
const s3Stores: S3ObjectStore[] = [];

beforeAll(async () => {
  cli = await builtCli();
  minio = await startMinio();
}, 120_000);
afterAll(async () => {
  s3Stores.forEach((s) => s.destroy());
  await minio?.stop();
});

interface StoreUnderTest {
  store: ObjectStore;
  env: Record<string, string>;
}

function localStore(): StoreUnderTest {
  const dataDir = mkdtempSync(join(tmpdir(), 'gravix-rollup-proc-'));
  return {
    store: new LocalObjectStore(join(dataDir, 'store')),
    env: { GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dataDir },
  };
}

async function minioStore(): Promise<StoreUnderTest> {
  const bucket = `rollup-${randomBytes(6).toString('hex')}`;
  await minio.createBucket(bucket);
  const store = new S3ObjectStore(minio.s3Options(bucket));
  s3Stores.push(store);
  const env = minio.storeEnv(bucket);
  return { store, env };
}

const sha = (bytes: Uint8Array | undefined) =>
  bytes ? createHash('sha256').update(bytes).digest('hex') : 'absent';

async function seed(store: ObjectStore, seed: number, count: number, seqBase: number, prefix = 'e') {
  const facts = buildSeededFacts({ seed, count, fromMs: hour10, idPrefix: prefix });
  let seq = seqBase;
  for (const part of chunk(facts, 50_000)) await putRawSegment(store, part, { seq: seq++ });
  // Re-uploads: the first 1000 events of this batch again, in another ingester's object.
  await putRawSegment(store, facts.slice(0, 1_000), { ingester: 'ing-retry', seq: seq++ });
  return facts;
}

describe.each([
  ['the local store', async () => localStore()],
  ['MinIO', () => minioStore()],
])('rollup processes on %s', (_name, makeStore) => {
  it('two concurrent rollup processes on the same partition leave exactly one consistent committed result', async () => {
    const { store, env } = await makeStore();
    const facts = await seed(store, 5, 150_000, 0);
    const runs = [0, 1].map(() => spawnRollup(cli, { ...env, ...processEnv }, ['--once']));
    const results = await Promise.all(runs.map((r) => r.exited));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const summaries = results.map((r) => parseRunSummary(r.output)!);
    expect(summaries.reduce((n, s) => n + (s['committed'] as number), 0)).toBe(1);
    const other = summaries.find((s) => s['committed'] === 0)!;
    // The loser either lost the manifest race, found it committed, or found it committed but not yet
    // published and published the identical bytes itself.
    const { lostRace, upToDate, republished } = other as Record<string, number>;
    expect(lostRace! + upToDate! + republished!).toBe(1);
    const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
    expect(manifest).toMatchObject({ generation: 1, published: true });
    expectRowsMatchOracle(await readCommittedRows(store, [p10]), facts);
  });

  it('a rollup killed with SIGKILL mid-run leaves readers the old or the new committed result, never a mix', async () => {
    const { store, env } = await makeStore();
    const early = await seed(store, 6, 50_000, 0);
    await runRollupOnce({ store, ...policy });
    const dataKey = buildDataFileKey('request_metrics_minute', p10);
    const oldSha = sha((await store.get(dataKey))?.body);
    const late = await seed(store, 7, 200_000, 100, 'late');
    const inputs = (await store.list('raw/')).map((o) => o.key);
    const newSha = (await computePartition(store, p10, inputs)).outputs.request_metrics_minute.sha256;
    // First right after the manifest commit, while the data files are being published.
    const committedRun = spawnRollup(cli, { ...env, ...processEnv }, ['--once']);
    const before = (await store.head(buildManifestKey(p10)))?.etag;
    while (
      (await store.head(buildManifestKey(p10)))?.etag === before &&
      committedRun.child.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 2));
    }
    committedRun.child.kill('SIGKILL');
    // Best effort: on a fast store the run may publish and exit between two polls; either way the
    // reader invariant below must hold.
    const ended = await committedRun.exited;
    expect(ended.signal === 'SIGKILL' || ended.code === 0).toBe(true);
    expect([oldSha, newSha]).toContain(sha((await store.get(dataKey))?.body));
    // Then at points spread over the run (reading, aggregating, encoding, committing).
    for (const killAfterMs of [300, 800, 1_300, 1_800, 2_300]) {
      const run = spawnRollup(cli, { ...env, ...processEnv }, ['--once']);
      setTimeout(() => run.child.kill('SIGKILL'), killAfterMs);
      await run.exited;
      expect([oldSha, newSha]).toContain(sha((await store.get(dataKey))?.body));
      expect([1, 2]).toContain((await loadManifest(store, buildManifestKey(p10)))!.manifest.generation);
    }
    const final = spawnRollup(cli, { ...env, ...processEnv }, ['--once']);
    expect((await final.exited).code).toBe(0);
    expect(sha((await store.get(dataKey))?.body)).toBe(newSha);
    expect((await loadManifest(store, buildManifestKey(p10)))!.manifest).toMatchObject({
      generation: 2,
      published: true,
    });
    expectRowsMatchOracle(await readCommittedRows(store, [p10]), [...early, ...late]);
  });
});

describe('gravix rollup --backfill', () => {
  it('rolls up only the hours in [--from, --to), drawing a progress line per partition', async () => {
    const { store, env } = localStore();
    await seed(store, 8, 2_000, 0);
    const next = buildSeededFacts({ seed: 9, count: 2_000, fromMs: hour10 + 3_600_000 });
    await putRawSegment(store, next, { seq: 50 });
    const from = new Date(hour10).toISOString();
    const to = new Date(hour10 + 3_600_000).toISOString();
    const run = spawnRollup(cli, { ...env, ...processEnv }, ['--backfill', '--from', from, '--to', to]);
    const { code, output } = await run.exited;
    expect(code).toBe(0);
    expect(output).toContain('1/1 partitions  2,000 facts');
    expect(await store.head(buildManifestKey(p10))).toBeDefined();
    expect(await store.head(buildManifestKey(buildRawPartition('acme', hour10 + 3_600_000)))).toBeUndefined();
  });

  it('exits 1 with every configuration problem named', async () => {
    const run = spawnRollup(cli, { GRAVIX_ROLLUP_LATENESS_SECONDS: 'soon' }, ['--backfill']);
    const { code, output } = await run.exited;
    expect(code).toBe(1);
    expect(output).toContain('"code":"INVALID_CONFIG"');
    expect(output).toContain('GRAVIX_ROLLUP_LATENESS_SECONDS');
    expect(output).toContain('--from: is required with --backfill');
  });
});
