import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildOpenHourTileKey } from '../../domain/metrics-layout.js';
import type { RawFact } from '../../domain/raw-record.js';
import { decodeServiceHourMetrics } from '../adapters/metrics-parquet.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { buildSeededFacts } from '../testing/seeded-raw-events.js';
import { runRollupOnce } from './run-rollup-once.js';

const m = 60_000;
const h = 60 * m;
const hourStart = Date.parse('2026-11-23T10:00:00Z');
const partition = { tenant: 'acme', date: '2026-11-23', hour: '10' };
const latenessMs = 5 * m;

/** An embedded pass into the open hour (`gravix dev`'s options), at `nowMs`; what its open-hour step did. */
async function pass(store: LocalObjectStore, nowMs: number) {
  const summary = await runRollupOnce({
    store,
    nowMs,
    latenessMs,
    includeOpen: true,
    rawRetentionMs: 365 * 24 * h,
    metricsRetentionMs: 365 * 24 * h,
  });
  return summary.openHourTiles!;
}

/** The requests the hour's service tile of `minutes` minutes counts. */
async function tileRequests(store: LocalObjectStore, minutes: number): Promise<number> {
  const tile = await store.get(buildOpenHourTileKey(partition, minutes, 'service_metrics_open_hour'));
  return decodeServiceHourMetrics(tile!.body).reduce((n, r) => n + r.requests, 0);
}

const factsIn = (fromMinute: number, toMinute: number, count: number, seed: number): RawFact[] =>
  buildSeededFacts({
    seed,
    count,
    fromMs: hourStart + fromMinute * m,
    spanMs: (toMinute - fromMinute) * m,
    idPrefix: `s${seed}-`,
  });

describe('the open-hour tile step across embedded passes (docs/adr/0132)', () => {
  it('builds once per change of what the tile covers: not on an unchanged hour nor on facts in minutes still open', async () => {
    const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-open-hour-')));
    const first = factsIn(0, 31, 400, 1);
    await putRawSegment(store, first, { seq: 1 });
    const now = hourStart + 31 * m + 20_000; // 26 minutes closed
    expect((await pass(store, now)).built).toBe(1);
    expect(await tileRequests(store, 26)).toBe(first.filter((f) => f.ts < hourStart + 26 * m).length);
    // Nothing new: the hour's manifest and the covered minutes are as the tile was built from.
    expect((await pass(store, now + 10_000)).built).toBe(0);
    // Fresh facts, all in minutes 27-30 (not closed): a new generation of the hour, the same 26-minute tile.
    await putRawSegment(store, factsIn(27, 31, 50, 2), { seq: 2 });
    expect((await pass(store, now + 20_000)).built).toBe(0);
    // A late fact in minute 5, which the tile covers: built again, and it counts the fact.
    const late = factsIn(5, 6, 1, 3);
    await putRawSegment(store, late, { seq: 3 });
    expect((await pass(store, now + 30_000)).built).toBe(1);
    expect(await tileRequests(store, 26)).toBe(
      [...first, ...late].filter((f) => f.ts < hourStart + 26 * m).length,
    );
    // The minute boundary moved: a 27-minute tile.
    expect((await pass(store, now + m)).built).toBe(1);
    expect((await pass(store, now + m + 10_000)).built).toBe(0);
  }, 60_000);

  it("rebuilds a closed hour's tile, still read within the grace, when a late fact lands in a minute it covers", async () => {
    const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-open-hour-')));
    const facts = factsIn(0, 60, 400, 4);
    await putRawSegment(store, facts, { seq: 1 });
    expect((await pass(store, hourStart + 64 * m + 20_000)).built).toBe(1); // 59 minutes closed
    // Closed (end + lateness past) 3 minutes ago: a plan whose range ends in the hour still reads the tile.
    const late = factsIn(10, 11, 1, 5);
    await putRawSegment(store, late, { seq: 2 });
    const report = await pass(store, hourStart + h + latenessMs + 3 * m);
    expect(report.built).toBe(1);
    expect(await tileRequests(store, 59)).toBe(
      [...facts, ...late].filter((f) => f.ts < hourStart + 59 * m).length,
    );
  }, 60_000);
});
