import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildRawPartition, buildRawSegmentKey } from '../../domain/raw-partition.js';
import type { SegmentScanResult } from '../domain/segment-scan-result.js';
import {
  PieceQueue,
  scanInThread,
  type SegmentScan,
  type SegmentScanner,
} from '../adapters/segment-scan-pool.js';
import { computePartition, type ComputedPartition } from './compute-partition.js';
import { chunk, putRawSegment } from '../testing/raw-segments.js';
import { buildSeededFacts, buildSeededRandom } from '../testing/seeded-raw-events.js';

/**
 * computePartition hands a segment to its own thread whenever the scan thread has not delivered the next piece
 * (docs/adr/0143). Worker threads cannot load TypeScript under jest, so the scan thread here is a stand-in that
 * scans in-thread and delivers every piece after a seeded random delay: each seed is another interleaving of the
 * two threads, and the output must be byte-identical to the single-thread path's whichever segments were taken.
 * The real worker runs the same property in the rollup bench (outputsIdentical) and the built CLI's kill trials.
 */
const hour10 = Date.parse('2026-11-20T10:00:00Z');
const partition = buildRawPartition('acme', hour10);

let dir: string;
let store: LocalObjectStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gx-scan-order-'));
  store = new LocalObjectStore(join(dir, 'store'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Ten segments and two re-uploads whose copies differ from the originals (dedupe keeps the first copy in key order,
 * so taking segments out of order changes the counts).
 */
async function seedSegments(): Promise<string[]> {
  const facts = buildSeededFacts({ seed: 7, count: 6_000, tenant: 'acme', fromMs: hour10 });
  const keys: string[] = [];
  for (const [seq, part] of chunk(facts, 600).entries()) keys.push(await putRawSegment(store, part, { seq }));
  const altered = (from: number, to: number) =>
    facts.slice(from, to).map((f) => ({ ...f, status_code: 503, latency_ms: f.latency_ms * 3 + 1 }));
  keys.push(await putRawSegment(store, altered(1_000, 1_900), { ingester: 'ing-retry', seq: 0 }));
  keys.push(await putRawSegment(store, altered(5_500, 6_000), { ingester: 'ing-retry', seq: 1 }));
  return keys;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const immediate = () => new Promise((resolve) => setImmediate(resolve));

/** A scan whose pieces arrive late: 0-3 event-loop turns, sometimes a few milliseconds. */
function delayed(inner: SegmentScan, random: () => number): SegmentScan {
  const late = new PieceQueue();
  void (async () => {
    for (;;) {
      let piece: SegmentScanResult;
      try {
        piece = await inner.next();
      } catch (error) {
        late.fail(error as Error);
        return;
      }
      const r = random();
      if (r < 0.2) await sleep(1 + Math.floor(random() * 4));
      else for (let i = Math.floor(r * 4); i > 0; i--) await immediate();
      late.push(piece);
      if (piece.last) return;
    }
  })();
  return late;
}

/** The stand-in scan thread; `taken` counts what it scanned, so the test sees both threads take segments. */
function slowScanner(seed: number, size: number): SegmentScanner & { taken: number } {
  const random = buildSeededRandom(seed);
  return {
    size,
    taken: 0,
    scan(key, body, startMs) {
      this.taken++;
      return delayed(scanInThread(key, body, startMs, 1 + Math.floor(random() * 400)), random);
    },
  };
}

function digests(computed: ComputedPartition): Record<string, string> {
  return Object.fromEntries(Object.entries(computed.outputs).map(([table, out]) => [table, out.sha256]));
}

describe('segments scanned by either thread give the single-thread result (seeded interleavings)', () => {
  it('is byte-identical for every seed, with segments taken by both threads', async () => {
    const keys = await seedSegments();
    const reference = await computePartition(store, partition, keys);
    expect(reference.stats).toMatchObject({ facts: 6_000, duplicates: 1_400 });
    let takenByScanner = 0;
    let takenHere = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const scanner = slowScanner(seed, 1 + (seed % 2));
      const computed = await computePartition(store, partition, keys, undefined, scanner);
      expect({ seed, digests: digests(computed), stats: computed.stats }).toEqual({
        seed,
        digests: digests(reference),
        stats: reference.stats,
      });
      expect(computed.inputs.map((i) => i.key)).toEqual(reference.inputs.map((i) => i.key));
      takenByScanner += scanner.taken;
      takenHere += keys.length - scanner.taken;
    }
    expect(takenByScanner).toBeGreaterThan(0);
    expect(takenHere).toBeGreaterThan(0);
  });

  it('fails with RAW_SEGMENT_UNREADABLE naming the segment, whichever thread read the broken one', async () => {
    const keys = await seedSegments();
    const broken = buildRawSegmentKey(partition, 'ing-broken', 0);
    await store.put(broken, Buffer.from('this is not gzip'), { ifNoneMatch: '*' });
    for (let seed = 1; seed <= 12; seed++) {
      const scanner = slowScanner(seed, 1);
      await expect(
        computePartition(store, partition, [...keys, broken], undefined, scanner),
      ).rejects.toMatchObject({
        code: 'RAW_SEGMENT_UNREADABLE',
        message: expect.stringContaining(broken),
      });
    }
  });
});
