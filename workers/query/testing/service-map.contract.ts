import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { RawEdge, RawFact, RawRecord } from '../../domain/raw-record.js';
import { overflowService, unresolvedCallee } from '../../domain/request-vocabulary.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { chunk, putRawSegment } from '../../rollup/testing/raw-segments.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type { RedFigures } from '../api-types.js';
import type { QueryEngine } from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';

const tenant = 'servicemap';
const hour = 3_600_000;
const day = 24 * hour;
const from = Date.parse('2026-11-22T10:00:00Z');
const hostile = `o'k"; --\\ $1 ?`;

/**
 * The calls of the workload: who calls whom, whether the CLIENT span names the callee, and how often the called
 * service's SERVER span is missing (never exported: the edge stays :unresolved).
 */
const calls = [
  { caller: 'frontend', callee: 'checkout', named: true, serverMissing: 0 },
  { caller: 'checkout', callee: 'payments', named: false, serverMissing: 0 },
  { caller: 'checkout', callee: 'db.internal:5432', named: true, serverMissing: 1 },
  { caller: 'frontend', callee: 'search', named: false, serverMissing: 0.2 },
  { caller: hostile, callee: 'search', named: false, serverMissing: 0 },
  // Calls past the tenant's edge budget, folded by ingest into the callee :overflow (the cardinality report's).
  { caller: 'checkout', callee: overflowService, named: true, serverMissing: 1 },
  { caller: hostile, callee: overflowService, named: true, serverMissing: 1 },
] as const;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export interface ServiceMapWorkload {
  records: RawRecord[];
  /** The distinct edges (first copy of each event id) and SERVER facts: the oracle's input. */
  edges: RawEdge[];
  facts: RawFact[];
}

/**
 * Three hours of calls: latencies from 0 and sub-millisecond to seconds with ties, 5xx on some calls, sampled
 * CLIENT spans (weight 4), re-sent CLIENT spans, SERVER spans read before and after their CLIENT span, and calls
 * in the last moment of an hour whose SERVER span starts in the next hour (matched across the boundary, ADR 0096).
 */
export function buildServiceMapWorkload(): ServiceMapWorkload {
  const random = buildSeededRandom(85);
  const edges: RawEdge[] = [];
  const facts: RawFact[] = [];
  for (let i = 0; i < 1500; i++) {
    const call = calls[i % calls.length]!;
    const crossesHour = i % 97 === 0;
    const ts = crossesHour ? from + (1 + (i % 2)) * hour - 3 : from + Math.floor(random() * 3 * hour);
    const latency = [0, 0.0004, 1, 1, 2.5][i % 5]! + (i % 3 === 0 ? Math.floor(random() * 3000) : 0);
    const traceId = hex(i + 1, 32);
    const spanId = hex(0x1000 + i, 16);
    const status = i % 11 === 0 ? 503 : i % 13 === 0 ? 404 : 200;
    const edge: RawEdge = {
      kind: 'edge',
      tenant,
      event_id: `${traceId}-${spanId}`,
      ts,
      caller: call.caller,
      ...(call.named && { callee: call.callee }),
      status_code: status,
      latency_ms: latency,
      trace_id: traceId,
      span_id: spanId,
      ...(i % 17 === 0 && { weight: 4 }),
    };
    edges.push(edge);
    if (random() < call.serverMissing) continue;
    facts.push({
      kind: 'fact',
      tenant,
      event_id: `${traceId}-${hex(0x9000 + i, 16)}`,
      // The SERVER span starts a moment after its CLIENT span: past the hour for the crossing calls.
      ts: ts + 5,
      service: call.callee,
      method: 'GET',
      path: '/work',
      status_code: status,
      latency_ms: latency * 0.9,
      trace_id: traceId,
      span_id: hex(0x9000 + i, 16),
      parent_span_id: spanId,
    });
  }
  // Re-sent CLIENT spans (an exporter's retry) count once.
  const resent = edges.filter((_, i) => i % 9 === 0);
  // Facts before edges in one order, after them in the other: matching must not depend on it.
  const records = [...facts.slice(0, 700), ...edges, ...resent, ...facts.slice(700)];
  return { records, edges, facts };
}

/** How close to the end of its own hour a call must end to be matched across the boundary. */
const carryWindowMs = 5 * 60_000;

/** Which hour partition an event time falls in. */
const hourOf = (ts: number) => Math.floor(ts / hour);

/**
 * The SERVER span naming a CLIENT span without a callee: one of its own hour, else (ADR 0096, 0111) one of the next
 * hour, wherever in it, when the CLIENT span ends in its own hour's last 5 minutes (or after it).
 */
function matchedCallee(servers: ReadonlyMap<string, RawFact>, e: RawEdge): string | undefined {
  const own = servers.get(`${hourOf(e.ts)}/${e.trace_id}/${e.span_id}`);
  if (own) return own.service;
  const nextHour = (hourOf(e.ts) + 1) * hour;
  const next = servers.get(`${hourOf(e.ts) + 1}/${e.trace_id}/${e.span_id}`);
  const straddles = next && e.ts + e.latency_ms >= nextHour - carryWindowMs;
  return straddles ? next.service : undefined;
}

export interface ExpectedEdge {
  caller: string;
  callee: string;
  requests: number;
  errors5xx: number;
  /** Every request's latency, a sampled call repeated by its weight, sorted. */
  latencies: number[];
}

/** The edges of [rangeFrom, rangeTo) as ADR 0085 defines them, computed without the rollup's code. */
export function expectedEdges(w: ServiceMapWorkload, rangeFrom: number, rangeTo: number): ExpectedEdge[] {
  const servers = new Map<string, RawFact>();
  for (const f of w.facts) servers.set(`${hourOf(f.ts)}/${f.trace_id}/${f.parent_span_id}`, f);
  const byKey = new Map<string, ExpectedEdge>();
  for (const e of w.edges) {
    if (e.ts < rangeFrom || e.ts >= rangeTo) continue;
    const callee = e.callee ?? matchedCallee(servers, e) ?? unresolvedCallee;
    const key = JSON.stringify([e.caller, callee]);
    const row = byKey.get(key) ?? { caller: e.caller, callee, requests: 0, errors5xx: 0, latencies: [] };
    const weight = e.weight ?? 1;
    row.requests += weight;
    if (e.status_code >= 500) row.errors5xx += weight;
    for (let k = 0; k < weight; k++) row.latencies.push(e.latency_ms);
    byKey.set(key, row);
  }
  for (const row of byKey.values()) row.latencies.sort((a, b) => a - b);
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].sort(
    (a, b) => b.requests - a.requests || text(a.caller, b.caller) || text(a.callee, b.callee),
  );
}

/** The latency at 0-based rank floor(q * (n - 1)): what every percentile of the API is held to within 1%. */
export const exactPercentile = (sorted: readonly number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))]!;

export function withinOnePercent(actual: number | null, exact: number): boolean {
  if (actual === null) return false;
  return Math.abs(actual - exact) <= exact * 0.01 + 1e-9;
}

/**
 * The map's edges are the expected ones in order, with exact counts and each of `quantiles` within 1% of the exact
 * percentile of the edge's latencies.
 */
export function expectEdgesAsExpected(
  edges: readonly (RedFigures & { caller: string; callee: string })[],
  expected: readonly ExpectedEdge[],
  quantiles: readonly (0.5 | 0.95 | 0.99)[],
): void {
  expect(edges.map((e) => [e.caller, e.callee, e.requests, e.errors5xx])).toEqual(
    expected.map((e) => [e.caller, e.callee, e.requests, e.errors5xx]),
  );
  const field = { 0.5: 'p50', 0.95: 'p95', 0.99: 'p99' } as const;
  for (const [i, e] of expected.entries()) {
    for (const q of quantiles) {
      const value = edges[i]![field[q]];
      const exact = exactPercentile(e.latencies, q);
      if (!withinOnePercent(value, exact))
        throw new Error(`${e.caller}->${e.callee} p${q * 100} ${value} vs exact ${exact}`);
    }
  }
}

async function loadServiceMapData(store: ObjectStore, w: ServiceMapWorkload): Promise<void> {
  let seq = 0;
  const byHour = new Map<number, RawRecord[]>();
  for (const r of w.records) byHour.set(hourOf(r.ts), [...(byHour.get(hourOf(r.ts)) ?? []), r]);
  for (const records of byHour.values())
    for (const part of chunk(records, 200))
      await putRawSegment(store, part, { ingester: 'servicemap', seq: ++seq });
  await runRollupOnce({
    store,
    nowMs: from + 30 * day,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
}

/**
 * GET /api/v1/service-map and /service-map/edge over a real engine (through QueryService, so the answers are the
 * API's): exact edge counts and percentiles within 1% of an independent oracle, for whole hours (hour rows) and a
 * ragged range (minute rows at the ends), unmatched calls under :unresolved, hostile names as data, the limit and
 * truncation, nodes with their own server-side figures, and one edge's series adding up to the edge.
 */
export function describeServiceMapContract(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore }>,
): void {
  describe(`service map API contract: ${name}`, () => {
    const w = buildServiceMapWorkload();
    let service: QueryService;
    beforeAll(async () => {
      const { engine, store } = await open();
      await loadServiceMapData(store, w);
      service = new QueryService(engine, new RollupManifests(store, { maxAgeMs: 0 }));
    }, 600_000);

    const ranges = [
      ['three whole hours', from, from + 3 * hour],
      ['a ragged range', from + 30 * 60_000, from + 2 * hour + 15 * 60_000],
    ] as const;
    it.each(ranges)(
      'answers every edge of %s with exact counts and percentiles within 1%%',
      async (_, a, b) => {
        const map = await service.serviceMap({ tenant, from: a, to: b, limit: 100 });
        const expected = expectedEdges(w, a, b);
        expect(map.truncated).toBe(false);
        expectEdgesAsExpected(map.edges, expected, [0.5, 0.95, 0.99]);
        expect(map.edges.some((e) => e.callee === unresolvedCallee)).toBe(true);
        expect(map.edges.some((e) => e.caller === hostile)).toBe(true);
      },
    );

    it('lists every node an edge names, with its own server-side figures or null when it has none', async () => {
      const map = await service.serviceMap({ tenant, from, to: from + 3 * hour, limit: 100 });
      const names = [...new Set(map.edges.flatMap((e) => [e.caller, e.callee]))].sort();
      expect(map.nodes.map((n) => n.service)).toEqual(names);
      const served = (s: string) => w.facts.filter((f) => f.service === s && f.ts < from + 3 * hour);
      for (const node of map.nodes) {
        const facts = served(node.service);
        if (facts.length === 0) expect(node.server).toBeNull();
        else expect(node.server?.requests).toBe(facts.length);
      }
    });

    it('cuts at the limit, busiest first, and says it did', async () => {
      const map = await service.serviceMap({ tenant, from, to: from + 3 * hour, limit: 2 });
      const expected = expectedEdges(w, from, from + 3 * hour).slice(0, 2);
      expect(map.truncated).toBe(true);
      expect(map.edges.map((e) => [e.caller, e.callee, e.requests])).toEqual(
        expected.map((e) => [e.caller, e.callee, e.requests]),
      );
    });

    it("answers one edge's series whose steps add up to the edge, hostile names included", async () => {
      const to = from + 3 * hour;
      for (const e of expectedEdges(w, from, to).filter(
        (x) => x.caller === hostile || x.callee === 'payments',
      )) {
        const series = await service.edgeTimeseries({
          tenant,
          from,
          to,
          stepMs: hour,
          caller: e.caller,
          callee: e.callee,
        });
        expect(series.points).toHaveLength(3);
        expect(series.points.reduce((n, p) => n + p.requests, 0)).toBe(e.requests);
        expect(series.points.reduce((n, p) => n + p.errors5xx, 0)).toBe(e.errors5xx);
      }
      const none = await service.edgeTimeseries({ tenant, from, to, stepMs: hour, caller: 'x', callee: 'y' });
      expect(none.points.map((p) => p.requests)).toEqual([0, 0, 0]);
    });

    // The ragged range reads minute rows at its ends and hour rows between: both branches of the edge queries.
    it('reports the stored edges and the calls folded into :overflow by caller, as the oracle counts them (docs/adr/0096 §3)', async () => {
      const [, a, b] = ranges[1];
      const report = await service.storedCardinality(tenant, a, b);
      const expected = expectedEdges(w, a, b);
      const folded = expected.filter((e) => e.callee === overflowService);
      const byCalls = (x: { caller: string; overflowCalls: number }, y: typeof x) =>
        y.overflowCalls - x.overflowCalls || (x.caller < y.caller ? -1 : 1);
      expect({
        edges: report.edges,
        overflowEdgeCalls: report.overflowEdgeCalls,
        callersWithOverflowEdges: report.callersWithOverflowEdges,
        topEdgeOffenders: report.topEdgeOffenders,
      }).toEqual({
        edges: expected.length,
        overflowEdgeCalls: folded.reduce((n, e) => n + e.requests, 0),
        callersWithOverflowEdges: folded.length,
        topEdgeOffenders: folded.map((e) => ({ caller: e.caller, overflowCalls: e.requests })).sort(byCalls),
      });
      expect(report.callersWithOverflowEdges).toBe(2);
    });

    it('answers an empty map for a tenant without edges', async () => {
      const map = await service.serviceMap({ tenant: 'nobody', from, to: from + hour, limit: 10 });
      expect(map).toEqual({ from, to: from + hour, truncated: false, nodes: [], edges: [] });
    });
  });
}
