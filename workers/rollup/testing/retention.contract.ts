import { describe, expect, it } from '@jest/globals';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { decodeDayMetrics } from '../adapters/metrics-parquet.js';
import { loadManifest } from '../app/commit-partition.js';
import { parseRollupManifest } from '../domain/rollup-manifest.js';
import { buildManifestKey, parseManifestKey } from '../../domain/metrics-layout.js';
import { buildDayTileKey, parseOpenDayTileKey } from '../../domain/metrics-layout.js';
import { parseDayMarkerKey } from '../../domain/metrics-markers.js';
import { runRollupOnce, type RollupOnceOptions } from '../app/run-rollup-once.js';
import { putRawSegment } from './raw-segments.js';
import { RecordingStore, type RecordedWrite } from './recording-store.js';
import { expectRowsMatchOracle, readCommittedRows } from './rollup-oracle.js';
import { buildSeededFacts } from './seeded-raw-events.js';

const hour10 = Date.parse('2026-11-20T10:00:00Z');
const minute = 60_000;
const day = 86_400_000;
const p10 = buildRawPartition('acme', hour10);
const prefix10 = 'raw/tenant=acme/date=2026-11-20/hour=10/';

const policy = (nowMs: number): Omit<RollupOnceOptions, 'store'> => ({
  nowMs,
  latenessMs: 5 * minute,
  rawRetentionMs: 7 * day,
  metricsRetentionMs: 90 * day,
});
/** Closed and well inside raw retention. */
const soon = hour10 + 2 * 3_600_000;
/** Eight days on: hour 10 is past raw retention (7 days + lateness), its day is closed. */
const later = hour10 + 8 * day;

// The acceptance run's shape: the hour was rolled up with its first 12 minutes; back-dated facts for
// 10:12-10:59 landed afterwards.
const early = buildSeededFacts({ seed: 61, count: 3_000, fromMs: hour10, spanMs: 12 * minute });
const late = buildSeededFacts({
  seed: 62,
  count: 4_000,
  fromMs: hour10 + 12 * minute,
  spanMs: 48 * minute,
  idPrefix: 'late',
});

/** Every raw delete comes after a published manifest that lists the deleted key among its inputs. */
function expectEveryRawDeleteCovered(writes: readonly RecordedWrite[]): void {
  const covered = new Set<string>();
  const deleted: string[] = [];
  for (const write of writes) {
    if (write.op === 'put' && parseManifestKey(write.key) && write.body) {
      const manifest = parseRollupManifest(write.body, write.key);
      if (manifest.published) manifest.inputs.forEach((i) => covered.add(i.key));
    }
    if (write.op === 'delete' && write.key.startsWith('raw/')) {
      deleted.push(write.key);
      expect({ deleted: write.key, covered: covered.has(write.key) }).toEqual({
        deleted: write.key,
        covered: true,
      });
    }
  }
  expect(deleted.length).toBeGreaterThan(0);
}

async function dayRequests(store: ObjectStore): Promise<number> {
  const tile = await store.get(buildDayTileKey('acme', '2026-11-20'));
  return tile ? decodeDayMetrics(tile.body).reduce((sum, r) => sum + r.requests, 0) : -1;
}

async function rolledUpEarly(store: ObjectStore): Promise<void> {
  await putRawSegment(store, early, { seq: 0 });
  const first = await runRollupOnce({ store, ...policy(soon) });
  expect(first.partitions.map((p) => p.outcome)).toEqual(['committed']);
}

/** Retention must never delete raw data that no committed manifest covers (DESIGN.md invariant). */
export function describeRetention(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`raw retention on ${name}`, () => {
    it('rolls up back-dated late files of an hour that already has a manifest before retention deletes them', async () => {
      const store = new RecordingStore(await makeStore());
      await rolledUpEarly(store);
      await putRawSegment(store, late, { ingester: 'ing-7', seq: 1 });
      // A re-upload: events the first manifest already counted, again in another object.
      await putRawSegment(store, early.slice(0, 200), { ingester: 'ing-8', seq: 2 });

      const summary = await runRollupOnce({ store, ...policy(later) });
      expect(summary.failed).toEqual([]);
      expect(await store.list(prefix10)).toEqual([]);
      const { manifest } = (await loadManifest(store, buildManifestKey(p10)))!;
      expect(manifest.inputs).toHaveLength(3);
      const rows = await readCommittedRows(store, [p10]);
      expectRowsMatchOracle(rows, [...early, ...late]);
      expectRowsMatchOracle(rows, late, { fromMs: hour10 + 12 * minute, toMs: hour10 + 60 * minute });
      expect(await dayRequests(store)).toBe(early.length + late.length);
      expectEveryRawDeleteCovered(store.writes);
    });

    it('rolls up a file that lands after the run listed raw/ and before retention, before deleting anything', async () => {
      const inner = await makeStore();
      await rolledUpEarly(inner);
      let armed = true;
      const store = new RecordingStore(inner, async (prefix) => {
        if (prefix !== 'raw/' || !armed) return;
        armed = false;
        await putRawSegment(inner, late, { ingester: 'ing-7', seq: 1 });
      });
      const summary = await runRollupOnce({ store, ...policy(later) });
      expect(summary.failed).toEqual([]);
      expect(armed).toBe(false);
      expectRowsMatchOracle(await readCommittedRows(store, [p10]), [...early, ...late]);
      expect(await store.list(prefix10)).toEqual([]);
      expectEveryRawDeleteCovered(store.writes);
    });

    it('covers a file of re-uploaded events only: the hour stops being recomputed and retention deletes the file', async () => {
      const store = new RecordingStore(await makeStore());
      await rolledUpEarly(store);
      await putRawSegment(store, early.slice(0, 300), { ingester: 'ing-8', seq: 1 });
      const rerun = await runRollupOnce({ store, ...policy(soon) });
      expect(rerun.partitions).toMatchObject([{ outcome: 'committed', generation: 2, duplicates: 300 }]);
      expect((await loadManifest(store, buildManifestKey(p10)))!.manifest.inputs).toHaveLength(2);
      expect((await runRollupOnce({ store, ...policy(soon) })).partitions).toMatchObject([
        { outcome: 'up_to_date' },
      ]);
      await runRollupOnce({ store, ...policy(later) });
      expect(await store.list(prefix10)).toEqual([]);
      expectRowsMatchOracle(await readCommittedRows(store, [p10]), early);
      expectEveryRawDeleteCovered(store.writes);
    });

    it('deletes nothing of an hour whose late files cannot be rolled up', async () => {
      const store = new RecordingStore(await makeStore());
      await rolledUpEarly(store);
      await putRawSegment(store, late, { ingester: 'ing-7', seq: 1 });
      await store.put(`${prefix10}ing-9-000000000003.jsonl.gz`, new TextEncoder().encode('not gzip'), {
        ifNoneMatch: '*',
      });
      const summary = await runRollupOnce({ store, ...policy(later) });
      expect(summary.failed.map((f) => f.partition)).toEqual(['tenant=acme/date=2026-11-20/hour=10']);
      expect(summary.retention).toMatchObject({ rawPartitionsDeleted: 0, rawPartitionsKept: 1 });
      expect((await store.list(prefix10)).length).toBe(3);
      // The open day's tiles and marker of the earlier pass go by their own rule (the day closed meanwhile,
      // docs/adr/0091): they hold no hour's only copy.
      const openDayBookkeeping = (key: string) =>
        parseOpenDayTileKey(key) !== undefined || parseDayMarkerKey(key) !== undefined;
      expect(store.writes.filter((w) => w.op === 'delete' && !openDayBookkeeping(w.key))).toEqual([]);
    });

    it('keeps and reports a file that lands in an hour after retention finished deleting it', async () => {
      const store = await makeStore();
      await rolledUpEarly(store);
      await runRollupOnce({ store, ...policy(later) });
      expect(await store.list(prefix10)).toEqual([]);
      const straggler = await putRawSegment(store, late, { ingester: 'ing-7', seq: 1 });
      const summary = await runRollupOnce({ store, ...policy(later + minute) });
      // Its hour's other inputs are gone, so it cannot be deduplicated against them: counting it could count
      // an event twice. It stays, reported, for an operator to look at; it is never deleted uncounted.
      expect(summary.retention).toMatchObject({
        rawFilesUncovered: 1,
        rawPartitionsDeleted: 0,
        rawPartitionsKept: 1,
      });
      expect((await store.list(prefix10)).map((o) => o.key)).toEqual([straggler]);
      expectRowsMatchOracle(await readCommittedRows(store, [p10]), early);
    });

    it('gives exact counts when two runs apply retention to late files of the same hour at once', async () => {
      const inner = await makeStore();
      await rolledUpEarly(inner);
      const facts: RawFact[] = [...early, ...late];
      await putRawSegment(inner, late, { ingester: 'ing-7', seq: 1 });
      const store = new RecordingStore(inner);
      const runs = await Promise.all([0, 1].map(() => runRollupOnce({ store, ...policy(later) })));
      expect(runs.flatMap((r) => r.failed).filter((f) => f.code !== 'RAW_SEGMENT_VANISHED')).toEqual([]);
      await runRollupOnce({ store, ...policy(later + minute) });
      expectRowsMatchOracle(await readCommittedRows(store, [p10]), facts);
      expect(await store.list(prefix10)).toEqual([]);
      expect(await dayRequests(store)).toBe(facts.length);
      expectEveryRawDeleteCovered(store.writes);
    });
  });
}
