import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import type { RawFact } from '../../domain/raw-record.js';
import { parseRollupManifest } from '../domain/rollup-manifest.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { runRollupOnce } from './run-rollup-once.js';

const minute = 60_000;
const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const partition = buildRawPartition('acme', t0);

const fact = (n: number): RawFact => ({
  kind: 'fact',
  tenant: 'acme',
  event_id: `e-${n}`,
  ts: t0 + n * minute,
  service: 'checkout',
  method: 'GET',
  path: '/orders/:id',
  status_code: 200,
  latency_ms: 10 + n,
});

const rollUpAt = (store: LocalObjectStore, nowMs: number) =>
  runRollupOnce({
    store,
    nowMs,
    latenessMs: 5 * minute,
    rawRetentionMs: 7 * day,
    metricsRetentionMs: 30 * day,
    scanThreads: 0,
  });

const countedFacts = async (store: LocalObjectStore) =>
  parseRollupManifest((await store.get(buildManifestKey(partition)))!.body, buildManifestKey(partition)).stats
    .facts;

/**
 * A data directory copied (a backup restored, `.gravix-data` moved to another disk, `mv` across file systems)
 * keeps every object's key, size and bytes, but the local store's etags carry the inode, so every one changes:
 * the rollup took each committed input for gone, skipped the hour for good as if retention had retired it (late
 * data never counted) and retention kept its raw files forever as stragglers (probe 3, docs/adr/0122).
 */
describe('a local data directory copied to another place', () => {
  it('still counts late data in an hour committed before the copy, and retention still deletes its raw files', async () => {
    const original = mkdtempSync(join(tmpdir(), 'gx-copied-store-a-'));
    const before = new LocalObjectStore(original);
    await putRawSegment(before, [1, 2, 3].map(fact), { seq: 0 });
    await rollUpAt(before, t0 + 2 * hour);
    expect(await countedFacts(before)).toBe(3);

    const copy = mkdtempSync(join(tmpdir(), 'gx-copied-store-b-'));
    cpSync(original, copy, { recursive: true, preserveTimestamps: true });
    const after = new LocalObjectStore(copy);
    const late = await putRawSegment(after, [4, 5].map(fact), { ingester: 'ing-1', seq: 0 });

    const pass = await rollUpAt(after, t0 + 3 * hour);
    expect(pass.partitions.map((p) => p.outcome)).toEqual(['committed']);
    expect(await countedFacts(after)).toBe(5);

    const expired = await rollUpAt(after, t0 + 7 * day + 2 * hour);
    expect(expired.retention).toEqual({
      rawPartitionsDeleted: 1,
      rawPartitionsKept: 0,
      rawFilesUncovered: 0,
      metricsPartitionsDeleted: 0,
    });
    expect(await after.list('raw/')).toEqual([]);
    expect(await countedFacts(after)).toBe(5);
    expect(late).toContain('ing-1');
  });
});
