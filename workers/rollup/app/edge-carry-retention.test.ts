import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import {
  buildDataFileKey,
  buildEdgeCarryKey,
  buildManifestKey,
  edgeCarryPrefix,
} from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import type { RawEdge, RawFact } from '../../domain/raw-record.js';
import { decodeEdgeMetrics } from '../adapters/metrics-parquet.js';
import { parseEdgeCarry } from '../adapters/edge-carry-file.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { runRollupOnce } from './run-rollup-once.js';

const minute = 60_000;
const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const p10 = buildRawPartition('acme', t0);
const p11 = buildRawPartition('acme', t0 + hour);
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = (n: number) => n.toString(16).padStart(16, '0');

/** A call from checkout that starts in the last seconds of hour 10 and names no callee. */
const straddling = (n: number): RawEdge => ({
  kind: 'edge',
  tenant: 'acme',
  event_id: `${trace}-${span(n)}`,
  ts: t0 + hour - 5_000 + n,
  caller: 'checkout',
  status_code: 200,
  latency_ms: 6_000,
  trace_id: trace,
  span_id: span(n),
});
/** Its SERVER span, in the first second of hour 11 (so in hour 11's carried heads). */
const nextServer = (n: number): RawFact => ({
  kind: 'fact',
  tenant: 'acme',
  event_id: `s-${n}`,
  ts: t0 + hour + 500 + n,
  service: 'payments',
  method: 'POST',
  path: '/pay',
  status_code: 200,
  latency_ms: 1,
  trace_id: trace,
  span_id: span(1000 + n),
  parent_span_id: span(n),
});

const rollUpAt = (store: LocalObjectStore, nowMs: number) =>
  runRollupOnce({
    store,
    nowMs,
    latenessMs: 5 * minute,
    rawRetentionMs: 7 * day,
    metricsRetentionMs: 9 * day,
    scanThreads: 0,
  });

const hour10Callees = async (store: LocalObjectStore) =>
  decodeEdgeMetrics((await store.get(buildDataFileKey('service_edges_hour', p10)))!.body, 'hour').map((r) => [
    r.callee,
    r.requests,
  ]);

describe('metrics retention and the edge carry (docs/adr/0096)', () => {
  it('keeps an hour’s carry while the hour before it can still be rolled up, and drops each carry with its own partition', async () => {
    const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-carry-retention-')));
    await putRawSegment(store, [1, 2, 3].map(straddling), { seq: 1 });
    await putRawSegment(store, [1, 2, 4].map(nextServer), { seq: 2 });
    await rollUpAt(store, t0 + 2 * hour + 10 * minute);
    expect(await hour10Callees(store)).toEqual([
      [':unresolved', 1],
      ['payments', 2],
    ]);
    const carry11 = await store.get(buildEdgeCarryKey(p11));
    expect(parseEdgeCarry(carry11!.body, 'carry').heads.map(([, service]) => service)).toEqual([
      'payments',
      'payments',
      'payments',
    ]);

    // Past raw retention, not metrics: a back-dated CLIENT span lands in hour 10, whose SERVER span only hour
    // 11's carry knows. The pass rolls it up before retention deletes either hour's raw data, so the carry it
    // needs must still be there.
    await putRawSegment(store, [straddling(4)], { seq: 3 });
    const rawExpired = await rollUpAt(store, t0 + 7 * day + 3 * hour);
    expect(rawExpired.retention).toMatchObject({ rawPartitionsDeleted: 2, metricsPartitionsDeleted: 0 });
    expect(await hour10Callees(store)).toEqual([
      [':unresolved', 1],
      ['payments', 3],
    ]);
    expect(await store.list('raw/')).toEqual([]);
    expect((await store.head(buildEdgeCarryKey(p11)))?.etag).toBe(carry11!.etag);
    expect(await store.head(buildEdgeCarryKey(p10))).toBeDefined();

    // Hour 10 past metrics retention, hour 11 not: hour 10's carry goes with its files; hour 11's stays beside
    // its manifest, unchanged.
    const tenExpired = await rollUpAt(store, t0 + 9 * day + hour + 30 * minute);
    expect(tenExpired.retention?.metricsPartitionsDeleted).toBe(1);
    expect(await store.head(buildEdgeCarryKey(p10))).toBeUndefined();
    expect(await store.head(buildManifestKey(p10))).toBeUndefined();
    expect((await store.head(buildEdgeCarryKey(p11)))?.etag).toBe(carry11!.etag);
    expect(await store.head(buildManifestKey(p11))).toBeDefined();

    const bothExpired = await rollUpAt(store, t0 + 9 * day + 2 * hour + 30 * minute);
    expect(bothExpired.retention?.metricsPartitionsDeleted).toBe(1);
    expect(await store.list(edgeCarryPrefix)).toEqual([]);
    expect(await store.head(buildManifestKey(p11))).toBeUndefined();
  });
});
