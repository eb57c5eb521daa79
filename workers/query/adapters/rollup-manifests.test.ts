import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import { loadManifest } from '../../rollup/app/commit-partition.js';
import { encodeRollupManifest } from '../../rollup/domain/rollup-manifest.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../../rollup/testing/raw-segments.js';
import { buildSeededFacts } from '../../rollup/testing/seeded-raw-events.js';
import { RollupManifests } from './rollup-manifests.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const hour11 = hour10 + 3_600_000;
const day = 86_400_000;

async function rolledUpStore() {
  const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-freshness-')));
  const facts = buildSeededFacts({ seed: 3, count: 2_000, fromMs: hour10, spanMs: 2 * 3_600_000 });
  await putRawSegment(
    store,
    facts.filter((f) => f.ts < hour11),
    { seq: 0 },
  );
  await putRawSegment(
    store,
    facts.filter((f) => f.ts >= hour11),
    { seq: 1 },
  );
  const before = Date.now();
  // The pass's watermark time is pinned far from the real clock, as backfills and tests do.
  await runRollupOnce({
    store,
    nowMs: hour10 + 30 * day,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
  });
  return { store, facts, before, after: Date.now() };
}

describe('rollup freshness', () => {
  it('reports when the newest hour was really committed and the newest fact time it counts', async () => {
    const { store, facts, before, after } = await rolledUpStore();
    const freshness = (await new RollupManifests(store).freshness('acme'))!;
    expect(freshness.lastCommitAt).toBeGreaterThanOrEqual(before);
    expect(freshness.lastCommitAt).toBeLessThanOrEqual(after);
    expect(freshness.newestEventAt).toBe(Math.max(...facts.map((f) => f.ts)));
    expect(await new RollupManifests(store).freshnessPerTenant()).toEqual(new Map([['acme', freshness]]));
    expect(await new RollupManifests(store).freshness('other')).toBeUndefined();
  });

  it('steps back to the newest published hour while the newest one is being republished', async () => {
    const { store, facts } = await rolledUpStore();
    const p11 = buildManifestKey(buildRawPartition('acme', hour11));
    const { manifest } = (await loadManifest(store, p11))!;
    await store.put(p11, encodeRollupManifest({ ...manifest, published: false }));
    const freshness = (await new RollupManifests(store).freshness('acme'))!;
    expect(freshness.newestEventAt).toBe(Math.max(...facts.filter((f) => f.ts < hour11).map((f) => f.ts)));
  });

  it('changes its version when a manifest is rewritten, and only then', async () => {
    const { store } = await rolledUpStore();
    const manifests = new RollupManifests(store);
    const before = await manifests.version('acme');
    expect(await manifests.version('acme')).toBe(before);
    expect(await manifests.version('other')).not.toBe(before);
    const p11 = buildManifestKey(buildRawPartition('acme', hour11));
    const { manifest } = (await loadManifest(store, p11))!;
    await store.put(p11, encodeRollupManifest({ ...manifest, published: false }));
    expect(await manifests.version('acme')).not.toBe(before);
  });

  it("gives the tenant's first committed hour with its tiles, and none for a tenant without manifests", async () => {
    const { store } = await rolledUpStore();
    const manifests = new RollupManifests(store);
    expect((await manifests.tiles('acme')).firstHour).toBe(hour10);
    expect((await manifests.tiles('other')).firstHour).toBeUndefined();
  });
});
