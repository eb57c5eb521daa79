import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import type { ObjectInfo, ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildManifestKey, manifestsPrefix } from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import { runRollupOnce } from './run-rollup-once.js';
import { PassManifests } from './pass-manifests.js';
import { RecordingStore } from '../testing/recording-store.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { buildSeededFacts } from '../testing/seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const text = (value: string) => new TextEncoder().encode(value);
const keyOf = (hourMs: number) => buildManifestKey(buildRawPartition('acme', hourMs));
const fresh = () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gravix-pass-manifests-')));
const view = (infos: readonly ObjectInfo[]) => infos.map(({ key, etag, size }) => ({ key, etag, size }));

describe('the manifests one pass sees', () => {
  it('starts as the listing and ends as a listing would say after the pass’s own puts and deletes', async () => {
    const store = fresh();
    const [k10, k11, k12] = [keyOf(hour10), keyOf(hour10 + 3_600_000), keyOf(hour10 + 7_200_000)];
    const first = await store.put(k10, text('{"g":1}'));
    await store.put(k11, text('{"g":1}'));
    const pass = await PassManifests.list(store);
    expect(view(pass.current())).toEqual(view(await store.list(manifestsPrefix)));

    await pass.store.put(k10, text('{"g":2, "longer": true}'), { ifMatch: first.etag });
    await pass.store.put(k12, text('{"g":1}'), { ifNoneMatch: '*' });
    await pass.store.delete(k11);
    await pass.store.put('metrics/_manifests_day/tenant=acme/date=2026-11-20/x', text('marker'));

    expect(view(pass.current())).toEqual(view(await store.list(manifestsPrefix)));
    expect(pass.current().map((m) => m.key)).toEqual([k10, k12]);
    // What the pass was planned on stays as listed.
    expect(pass.listed.map((m) => m.key)).toEqual([k10, k11]);
  });

  it('learns the etag another run wrote when a conditional put of the pass loses, and from every read', async () => {
    const store = fresh();
    const key = keyOf(hour10);
    const first = await store.put(key, text('{"g":1}'));
    const pass = await PassManifests.list(store);
    await store.put(key, text('{"g":2, "by": "another run"}'), { ifMatch: first.etag });
    await expect(pass.store.put(key, text('{"g":2}'), { ifMatch: first.etag })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    expect(view(pass.current())).toEqual(view(await store.list(manifestsPrefix)));

    const second = await store.put(key, text('{"g":3, "by": "a third run"}'), {
      ifMatch: pass.current()[0]!.etag,
    });
    expect(pass.current()[0]!.etag).not.toBe(second.etag);
    await pass.store.get(key);
    expect(pass.current()[0]!.etag).toBe(second.etag);
    await store.delete(key);
    await pass.store.head(key);
    expect(pass.current()).toEqual([]);
  });
});

/** Counts the listings of each prefix a pass makes. */
class CountingStore extends RecordingStore {
  readonly lists: string[] = [];

  constructor(inner: ObjectStore) {
    super(inner);
  }

  override list(prefix: string): Promise<ObjectInfo[]> {
    this.lists.push(prefix);
    return super.list(prefix);
  }
}

describe('a rollup pass', () => {
  it('lists the hour manifests once, and still tiles the closed day it just committed', async () => {
    const inner = fresh();
    const facts = buildSeededFacts({ seed: 7, count: 2_000, fromMs: hour10 });
    await putRawSegment(inner, facts, { seq: 0 });
    const store = new CountingStore(inner);
    const pass = () =>
      runRollupOnce({
        store,
        nowMs: hour10 + 2 * 86_400_000,
        latenessMs: 300_000,
        rawRetentionMs: 7 * 86_400_000,
        metricsRetentionMs: 90 * 86_400_000,
      });
    const summary = await pass();
    expect(summary.failed).toEqual([]);
    expect(summary.partitions.map((p) => p.outcome)).toEqual(['committed']);
    expect(summary.dayTiles).toEqual({ built: 1, deleted: 0 });
    expect(store.lists.filter((prefix) => prefix === manifestsPrefix)).toHaveLength(1);

    // The next pass finds the day's marker current: the tile was built under the etag the commit left.
    const again = await pass();
    expect(again.partitions.map((p) => p.outcome)).toEqual(['up_to_date']);
    expect(again.dayTiles).toEqual({ built: 0, deleted: 0 });
  });
});
