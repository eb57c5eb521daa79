import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { buildDataFileKey, buildEdgeCarryKey, buildManifestKey } from '../../domain/metrics-layout.js';
import { buildRawPartition } from '../../domain/raw-partition.js';
import type { RawEdge, RawFact } from '../../domain/raw-record.js';
import { decodeEdgeMetrics } from '../adapters/metrics-parquet.js';
import { parseRollupManifest } from '../domain/rollup-manifest.js';
import { putRawSegment } from '../testing/raw-segments.js';
import { rollUpClosedHours } from '../testing/roll-up-closed-hours.js';

const hour = 3_600_000;
const t0 = Date.parse('2026-11-20T10:00:00Z');
const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = (n: number) => n.toString(16).padStart(16, '0');

const edge = (n: number, overrides: Partial<RawEdge> = {}): RawEdge => ({
  kind: 'edge',
  tenant: 'acme',
  event_id: `${trace}-${span(n)}`,
  ts: t0 + n * 1000,
  caller: 'checkout',
  status_code: n % 4 === 0 ? 503 : 200,
  latency_ms: n,
  trace_id: trace,
  span_id: span(n),
  ...overrides,
});
const server = (n: number, service: string): RawFact => ({
  kind: 'fact',
  tenant: 'acme',
  event_id: `s-${n}`,
  ts: t0 + n * 1000 + 1,
  service,
  method: 'POST',
  path: '/pay',
  status_code: 200,
  latency_ms: 1,
  trace_id: trace,
  span_id: span(1000 + n),
  parent_span_id: span(n),
});

const manifestOf = async (store: LocalObjectStore, ms: number) =>
  parseRollupManifest((await store.get(buildManifestKey(buildRawPartition('acme', ms))))!.body, 'm');

const rollup = (store: LocalObjectStore, force = false) => rollUpClosedHours(store, t0 + 5 * hour, { force });

describe('the rollup of service-map edges', () => {
  it('writes the edge tables, matches unnamed callees and rewrites nothing when run again, even forced', async () => {
    const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-edges-')));
    const edges = [1, 2, 3, 4, 5, 6].map((n) => edge(n, n > 4 ? { callee: 'db:5432' } : {}));
    // The SERVER spans of calls 1-3 are read before and after their CLIENT spans; call 4 has none.
    await putRawSegment(store, [server(1, 'payments'), edges[0]!, edges[1]!], { seq: 1 });
    await putRawSegment(store, [...edges.slice(2), edges[0]!, server(2, 'payments'), server(3, 'payments')], {
      seq: 2,
    });
    // A segment from before edges existed (facts only) in the next hour still rolls up.
    await putRawSegment(store, [{ ...server(9, 'payments'), ts: t0 + hour + 5, parent_span_id: undefined }], {
      seq: 3,
    });
    await rollup(store);
    const p = buildRawPartition('acme', t0);
    const minutes = decodeEdgeMetrics(
      (await store.get(buildDataFileKey('service_edges_minute', p)))!.body,
      'minute',
    );
    expect(minutes.map((r) => [r.caller, r.callee, r.requests, r.errors5xx])).toEqual([
      ['checkout', ':unresolved', 1, 1],
      ['checkout', 'db:5432', 2, 0],
      ['checkout', 'payments', 3, 0],
    ]);
    const hours = decodeEdgeMetrics(
      (await store.get(buildDataFileKey('service_edges_hour', p)))!.body,
      'hour',
    );
    expect(hours.map((r) => [r.startMs, r.callee, r.requests, r.latencyMaxMs])).toEqual([
      [t0, ':unresolved', 1, 4],
      [t0, 'db:5432', 2, 6],
      [t0, 'payments', 3, 3],
    ]);
    const manifest = parseRollupManifest((await store.get(buildManifestKey(p)))!.body, 'm');
    expect(manifest.stats.edges).toEqual({
      edges: 6,
      duplicates: 1,
      matched: 3,
      unresolved: 1,
      waiting: 0,
      next_matched: 0,
      // Call 4 starts in the hour's first 5 minutes: offered to the previous hour, which has none.
      early: 1,
      prev_matched: 0,
    });
    const next = buildRawPartition('acme', t0 + hour);
    const empty = (await store.get(buildDataFileKey('service_edges_minute', next)))!.body;
    expect(decodeEdgeMetrics(empty, 'minute')).toEqual([]);

    const before = await store.get(buildDataFileKey('service_edges_minute', p));
    const forced = await rollup(store, true);
    expect(forced.partitions.map((x) => x.outcome)).toEqual(['unchanged', 'unchanged']);
    expect((await store.get(buildDataFileKey('service_edges_minute', p)))!.body).toEqual(before!.body);
  });

  describe('across an hour boundary (docs/adr/0096)', () => {
    // Calls that start in the last seconds of hour 10 and whose SERVER spans start in hour 11.
    const straddling = (n: number) => edge(n, { ts: t0 + hour - 5_000 + n, latency_ms: 6_000 });
    const nextServer = (n: number, service: string) => ({ ...server(n, service), ts: t0 + hour + 500 + n });
    const calls = [1, 2, 3];
    const hourRows = async (store: LocalObjectStore) =>
      decodeEdgeMetrics(
        (await store.get(buildDataFileKey('service_edges_hour', buildRawPartition('acme', t0))))!.body,
        'hour',
      ).map((r) => [r.callee, r.requests]);

    it('names a callee whose SERVER span is in the next hour, in the pass that commits the next hour', async () => {
      const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-edges-')));
      await putRawSegment(store, calls.map(straddling), { seq: 1 });
      await putRawSegment(store, [nextServer(1, 'payments'), nextServer(2, 'payments')], { seq: 2 });
      const first = await rollup(store);
      // Hour 10 first (its next hour not yet rolled up), hour 11, then hour 10 again with hour 11's heads.
      expect(first.partitions.map((x) => [x.partition.slice(-7), x.outcome, x.generation])).toEqual([
        ['10.json', 'committed', 1],
        ['11.json', 'committed', 1],
        ['10.json', 'committed', 2],
      ]);
      expect(await hourRows(store)).toEqual([
        [':unresolved', 1],
        ['payments', 2],
      ]);
      const m10 = await manifestOf(store, t0);
      expect(m10.stats.edges).toMatchObject({ matched: 2, unresolved: 1, waiting: 3, next_matched: 2 });
      const again = await rollup(store);
      expect(again.partitions.map((x) => x.outcome)).toEqual(['up_to_date', 'up_to_date']);
      expect((await manifestOf(store, t0)).generation).toBe(2);
    });

    it('names it when the next hour arrives later, and only once: a next hour that names nothing new rewrites nothing', async () => {
      const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-edges-')));
      await putRawSegment(store, calls.map(straddling), { seq: 1 });
      await rollup(store);
      expect(await hourRows(store)).toEqual([[':unresolved', 3]]);
      await putRawSegment(store, [nextServer(3, 'search')], { seq: 2 });
      const second = await rollup(store);
      expect(second.partitions.map((x) => [x.partition.slice(-7), x.outcome])).toEqual([
        ['10.json', 'up_to_date'],
        ['11.json', 'committed'],
        ['10.json', 'committed'],
      ]);
      expect(await hourRows(store)).toEqual([
        [':unresolved', 2],
        ['search', 1],
      ]);
      // Late data in hour 11 that names none of hour 10's calls: hour 10 keeps its generation and bytes.
      await putRawSegment(store, [{ ...nextServer(7, 'other'), parent_span_id: span(77) }], { seq: 3 });
      const before = (await store.get(
        buildDataFileKey('service_edges_hour', buildRawPartition('acme', t0)),
      ))!;
      const third = await rollup(store);
      expect(third.partitions.map((x) => [x.partition.slice(-7), x.outcome])).toEqual([
        ['10.json', 'up_to_date'],
        ['11.json', 'committed'],
      ]);
      const m10 = await manifestOf(store, t0);
      expect(m10.generation).toBe(2);
      // Hour 11 is sealed for this clock: its etag is recorded, so later passes do not look again.
      const m11 = await store.head(buildManifestKey(buildRawPartition('acme', t0 + hour)));
      expect(m10.edge_next?.manifest_etag).toBe(m11?.etag);
      expect(
        (await store.get(buildDataFileKey('service_edges_hour', buildRawPartition('acme', t0))))!.etag,
      ).toBe(before.etag);
    });
  });

  describe('across the previous hour boundary (docs/adr/0128)', () => {
    // 23:00 on one day and 00:00 on the next: the previous partition is another date.
    const midnight = Date.parse('2026-11-21T00:00:00Z');
    const [p23, p00] = [buildRawPartition('acme', midnight - hour), buildRawPartition('acme', midnight)];
    // Calls that start in the first seconds after midnight, stamped by a server 3 s behind its client's clock.
    const early = (n: number) => edge(n, { ts: midnight + 500 + n, latency_ms: 20 });
    const prevServer = (n: number, service: string) => ({ ...server(n, service), ts: midnight - 2_500 + n });
    // A call of 23:59 whose SERVER span is after midnight: both hours carry something to the other.
    const waitingCall = edge(50, { ts: midnight - 1_000, latency_ms: 2_000 });
    const waitingServer = { ...server(50, 'search'), ts: midnight + 100 };
    const callees = async (store: LocalObjectStore, p: typeof p00) =>
      decodeEdgeMetrics((await store.get(buildDataFileKey('service_edges_hour', p)))!.body, 'hour').map(
        (r) => [r.callee, r.requests],
      );
    const manifestEtags = async (store: LocalObjectStore) =>
      Promise.all([p23, p00].map(async (p) => (await store.head(buildManifestKey(p)))?.etag));
    const rollupAt = (store: LocalObjectStore) => rollUpClosedHours(store, midnight + 5 * hour);

    it('names a callee whose SERVER span is in the previous hour, across midnight, in the pass that reads both', async () => {
      const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-edges-prev-')));
      await putRawSegment(store, [prevServer(1, 'payments'), prevServer(2, 'payments')], { seq: 1 });
      await putRawSegment(store, [1, 2, 3].map(early), { seq: 2 });
      const first = await rollupAt(store);
      // 23:00 first, then 00:00 with 23:00's tails: no second generation needed.
      expect(first.partitions.map((x) => [x.partition.slice(-28), x.outcome, x.generation])).toEqual([
        ['date=2026-11-20/hour=23.json', 'committed', 1],
        ['date=2026-11-21/hour=00.json', 'committed', 1],
      ]);
      expect(await callees(store, p00)).toEqual([
        [':unresolved', 1],
        ['payments', 2],
      ]);
      const m00 = await manifestOf(store, midnight);
      expect(m00.stats.edges).toMatchObject({ matched: 2, unresolved: 1, early: 3, prev_matched: 2 });
      expect(m00.edge_prev?.carry_etag).toBe((await store.head(buildEdgeCarryKey(p23)))?.etag);
      const before = await manifestEtags(store);
      const again = await rollupAt(store);
      expect(again.partitions.map((x) => x.outcome)).toEqual(['up_to_date', 'up_to_date']);
      expect(await manifestEtags(store)).toEqual(before);
    });

    it('names it when the previous hour arrives later, once; then neither hour rewrites the other on later passes', async () => {
      const store = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-edges-prev-')));
      await putRawSegment(store, [...[1, 2, 3].map(early), waitingServer], { seq: 1 });
      await rollupAt(store);
      expect(await callees(store, p00)).toEqual([[':unresolved', 3]]);

      await putRawSegment(store, [prevServer(1, 'payments'), waitingCall], { seq: 2 });
      const second = await rollupAt(store);
      // 23:00 is new and names its waiting call from 00:00's heads; 00:00 is recomputed with 23:00's tails.
      expect(second.partitions.map((x) => [x.partition.slice(-7), x.outcome, x.generation])).toEqual([
        ['23.json', 'committed', 1],
        ['00.json', 'up_to_date', 1],
        ['00.json', 'committed', 2],
      ]);
      expect(await callees(store, p00)).toEqual([
        [':unresolved', 2],
        ['payments', 1],
      ]);
      expect(await callees(store, p23)).toEqual([['search', 1]]);

      // Late data in 23:00 that names nothing new: 00:00 keeps its generation and data files; each hour records
      // the other once (both sealed), and after that passes write nothing.
      await putRawSegment(store, [{ ...prevServer(9, 'other'), parent_span_id: span(99) }], { seq: 3 });
      const dataFile = (await store.head(buildDataFileKey('service_edges_hour', p00)))?.etag;
      await rollupAt(store);
      await rollupAt(store);
      const settled = await manifestEtags(store);
      for (let i = 0; i < 2; i++) {
        const pass = await rollupAt(store);
        expect(pass.partitions.map((x) => x.outcome)).toEqual(['up_to_date', 'up_to_date']);
        expect(await manifestEtags(store)).toEqual(settled);
      }
      expect((await manifestOf(store, midnight)).generation).toBe(2);
      expect((await store.head(buildDataFileKey('service_edges_hour', p00)))?.etag).toBe(dataFile);
      expect((await manifestOf(store, midnight)).edge_prev?.carry_etag).toBe(
        (await store.head(buildEdgeCarryKey(p23)))?.etag,
      );
    });
  });
});
