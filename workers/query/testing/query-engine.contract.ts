import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { putRawSegment, chunk } from '../../rollup/testing/raw-segments.js';
import {
  buildSeededFacts,
  buildServiceEvent,
  exactQuantile,
} from '../../rollup/testing/seeded-raw-events.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import type { RawFact } from '../../domain/raw-record.js';
import type { QueryEngine } from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import { roundLatencyMs } from '../../domain/latency-sketch.js';
import { heatmapBand } from '../domain/latency-heatmap.js';
import { latencyBucketIndex } from '../../domain/latency-sketch.js';
import {
  buildGeneratedCases,
  buildHandPickedCases,
  putPercentileCases,
} from '../../rollup/testing/percentile-cases.js';
import type { PercentileCase } from '../../rollup/testing/percentile-cases.js';
import { rewriteAsLegacyFiles } from './legacy-metrics-files.js';
import {
  buildDataFileKey,
  buildDayTileKey,
  dayTileTables,
  metricsTables,
} from '../../domain/metrics-layout.js';
import { buildTenantDayMarkersPrefix } from '../../domain/metrics-markers.js';
import { checkPercentileCases, writeMismatchReport, type OracleDepth } from './percentile-oracle.contract.js';
import { itReadsOpenHourTiles, loadOpenHour, openHourFacts } from './open-hour-tiles.contract.js';

const base = Date.parse('2026-11-20T10:00:00Z');
const day = 86_400_000;
const facts = buildSeededFacts({ seed: 7, count: 6000, fromMs: base, spanMs: 2 * 3_600_000 });
const dayBefore = buildSeededFacts({
  seed: 8,
  count: 3000,
  fromMs: base - day,
  spanMs: 2 * 3_600_000,
  idPrefix: 'y',
});
const deploy = buildServiceEvent({ ts: base + 15 * 60_000 });
/** Rolled up, then its 10:00 hour rewritten as a rollup from before the status classes wrote it (an upgrade). */
const upgraded = buildSeededFacts({
  seed: 9,
  count: 1500,
  tenant: 'upgraded',
  fromMs: base,
  spanMs: 2 * 3_600_000,
  idPrefix: 'u',
});
/** Every file written before the status classes existed: no file of any table has the columns. */
const legacy = buildSeededFacts({
  seed: 10,
  count: 800,
  tenant: 'legacy',
  fromMs: base,
  spanMs: 2 * 3_600_000,
  idPrefix: 'l',
});

/**
 * A day still open (docs/adr/0091): 2026-11-22 00:00-11:00, its own tenant. After the contract's rollup,
 * loadOpenDay makes 09:30 its present: the day's tiles and markers go, a pass at that time writes the open-day
 * tiles of its first 9 hours, and those hours' minute and hour files are removed, so an answer that is exact can
 * only have read the open-day tiles (no deployment removes them: they are the plan's only source here).
 */
const openDayStart = Date.parse('2026-11-22T00:00:00Z');
const openDayHours = 9;
const openDayFacts = buildSeededFacts({
  seed: 12,
  count: 2200,
  tenant: 'openday',
  fromMs: openDayStart,
  spanMs: 11 * 3_600_000,
  idPrefix: 'o',
});

/**
 * The day before it (2026-11-21 14:00-24:00), closed: after loadOpenDay its day tiles serve it and its minute files
 * are gone, so a chart at quarter-hour steps that is exact can only have read its quarter-hour tiles (docs/adr/0141).
 */
const closedDayStart = openDayStart - 10 * 3_600_000;
const closedDayFacts = buildSeededFacts({
  seed: 13,
  count: 1200,
  tenant: 'openday',
  fromMs: closedDayStart,
  spanMs: 10 * 3_600_000,
  idPrefix: 'c',
});

async function loadOpenDay(store: ObjectStore): Promise<void> {
  const date = '2026-11-22';
  const markers = await store.list(buildTenantDayMarkersPrefix('openday'));
  for (const table of dayTileTables) await store.delete(buildDayTileKey('openday', date, table));
  for (const { key } of markers) await store.delete(key);
  await runRollupOnce({
    store,
    nowMs: openDayStart + openDayHours * 3_600_000 + 30 * 60_000,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
  for (let hour = 0; hour < openDayHours; hour++) {
    const partition = { tenant: 'openday', date, hour: String(hour).padStart(2, '0') };
    for (const table of metricsTables) await store.delete(buildDataFileKey(table, partition));
  }
  for (let hour = 14; hour < 24; hour++) {
    const partition = { tenant: 'openday', date: '2026-11-21', hour: String(hour) };
    for (const table of ['request_metrics_minute', 'service_metrics_minute'] as const)
      await store.delete(buildDataFileKey(table, partition));
  }
}

/**
 * Head-sampled traffic (OTLP spans with adjusted counts): in the 10:00 hour the `checkout` service's facts count 4
 * each (a 25% sample), everything else is unsampled, so steps, endpoints and services are estimated or not.
 */
const sampled = buildSeededFacts({
  seed: 11,
  count: 1200,
  tenant: 'sampled',
  fromMs: base,
  spanMs: 2 * 3_600_000,
  idPrefix: 's',
}).map((f) => (f.service === 'checkout' && f.ts < base + 3_600_000 ? { ...f, weight: 4 } : f));
const weightOf = (f: RawFact) => f.weight ?? 1;

/**
 * The percentile oracle's cases: the hand-picked shapes plus `generated` fast-check cases (seeded, so every run
 * and both engines see the same ones). Each case is its own tenant.
 */
export function buildPercentileCases(generated: number): PercentileCase[] {
  return [...buildHandPickedCases(), ...buildGeneratedCases(20261110, generated)];
}

/** Writes the contract's raw data into `store` and rolls it up, exactly as ingest + rollup would. */
export async function loadContractData(
  store: ObjectStore,
  cases: readonly PercentileCase[] = [],
): Promise<void> {
  await putPercentileCases(store, cases);
  let seq = 0;
  for (const batch of chunk(
    [
      ...dayBefore,
      ...facts,
      ...upgraded,
      ...legacy,
      ...sampled,
      ...closedDayFacts,
      ...openDayFacts,
      ...openHourFacts,
    ],
    500,
  )) {
    // A segment holds one tenant's hour: a batch that straddles two tenants is split, not filed under the first.
    const byHour = new Map<string, RawFact[]>();
    for (const f of batch) {
      const key = `${f.tenant}/${Math.floor(f.ts / 3_600_000)}`;
      byHour.set(key, [...(byHour.get(key) ?? []), f]);
    }
    for (const records of byHour.values()) await putRawSegment(store, records, { seq: ++seq });
  }
  await putRawSegment(store, [deploy], { seq: ++seq });
  await runRollupOnce({
    store,
    nowMs: base + 30 * day,
    latenessMs: 0,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });
  await rewriteAsLegacyFiles(store, 'upgraded', (key) => key.includes('/hour=10/'));
  await rewriteAsLegacyFiles(store, 'legacy');
  await loadOpenDay(store);
  await loadOpenHour(store);
}

/** Requests per status class, as the API splits them. */
function statusClassesOf(subset: readonly RawFact[]) {
  const of = (lo: number, hi: number) =>
    subset.filter((f) => f.status_code >= lo && f.status_code < hi).length;
  return {
    status1xx: of(100, 200),
    status2xx: of(200, 300),
    status3xx: of(300, 400),
    errors4xx: of(400, 500),
    errors5xx: of(500, 600),
  };
}

function expectWithinOnePercent(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
}

function expectPercentilesMatch(
  actual: { p50: number | null; p95: number | null; p99: number | null },
  subset: RawFact[],
): void {
  const sorted = subset.map((f) => f.latency_ms).sort((a, b) => a - b);
  expectWithinOnePercent(actual.p50, exactQuantile(sorted, 0.5));
  expectWithinOnePercent(actual.p95, exactQuantile(sorted, 0.95));
  expectWithinOnePercent(actual.p99, exactQuantile(sorted, 0.99));
}

const is5xx = (f: RawFact) => f.status_code >= 500;

/** Behaviour every QueryEngine adapter must have, checked through the QueryService against an exact oracle. */
export function describeQueryEngineContract(
  name: string,
  /**
   * `store` is what the query service reads with; `writer`, when given, is what rollup writes with (a
   * least-privilege query user may not write, so a case that adds data needs another user). Defaults to `store`.
   */
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore; writer?: ObjectStore }>,
  oracle: { cases: readonly PercentileCase[]; depth: OracleDepth } = { cases: [], depth: 'full' },
): void {
  describe(`QueryEngine contract: ${name}`, () => {
    let service: QueryService;
    let engine: QueryEngine;
    let store: ObjectStore;
    let writer: ObjectStore;
    const tenant = 'acme';
    const [from, to] = [base, base + 2 * 3_600_000];
    beforeAll(async () => {
      const opened = await open();
      engine = opened.engine;
      store = opened.store;
      writer = opened.writer ?? opened.store;
      service = new QueryService(engine, new RollupManifests(store));
      // Loading and rolling up the contract's data takes minutes when other jobs share the two cores.
    }, 600_000);
    afterAll(() => engine?.close());

    it('answers every percentile of generated latency distributions within 1% of the exact order statistic', async () => {
      const { cases, depth } = oracle;
      const { mismatches, checked } = await checkPercentileCases(service, store, cases, depth);
      if (mismatches.length > 0) writeMismatchReport(name, mismatches);
      expect({ mismatches: mismatches.length, first: mismatches.slice(0, 5) }).toEqual({
        mismatches: 0,
        first: [],
      });
      expect(checked).toBeGreaterThan(cases.length * 1000);
      // Hundreds of queries; on a loaded 2-core machine Trino needs more than the suite's 3 minutes.
    }, 900_000);

    it('counts requests and 5xx errors per service exactly', async () => {
      const { services, truncated } = await service.services(tenant, from, to, 1000);
      expect(truncated).toBe(false);
      const names = [...new Set(facts.map((f) => f.service))];
      expect(services.map((s) => s.service).sort()).toEqual(names.sort());
      for (const s of services) {
        const subset = facts.filter((f) => f.service === s.service);
        expect([s.requests, s.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
      }
    });

    it('answers the percentiles of each service over the range (p99.9 too) with latency=1', async () => {
      const { services } = await service.services(tenant, from, to, 1000, undefined, true);
      for (const s of services) {
        const own = facts.filter((f) => f.service === s.service);
        expectPercentilesMatch({ p50: s.p50 ?? null, p95: s.p95 ?? null, p99: s.p99 ?? null }, own);
        const sorted = own.map((f) => f.latency_ms).sort((a, b) => a - b);
        expectWithinOnePercent(s.p999 ?? null, exactQuantile(sorted, 0.999));
      }
      const withoutLatency = (await service.services(tenant, from, to, 1000)).services[0];
      expect(withoutLatency).not.toHaveProperty('p95');
      expect(withoutLatency).not.toHaveProperty('p999');
    });

    it('returns every step with exact counts and percentiles within 1% of the exact ones', async () => {
      const stepMs = 30 * 60_000;
      const { points } = await service.timeseries({ tenant, from, to, stepMs });
      expect(points.map((p) => p.t)).toEqual([0, 1, 2, 3].map((i) => from + i * stepMs));
      for (const p of points) {
        const subset = facts.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs);
        expect([p.requests, p.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
        expectPercentilesMatch(p, subset);
      }
    });

    it('filters by service, method and path, merging histograms across the whole range', async () => {
      const [first] = facts;
      const filter = { service: first!.service, method: first!.method, path: first!.path };
      const { points } = await service.timeseries({ tenant, from, to, stepMs: 2 * 3_600_000, ...filter });
      const subset = facts.filter(
        (f) => f.service === filter.service && f.method === filter.method && f.path === filter.path,
      );
      expect(points).toHaveLength(1);
      expect(points[0]!.requests).toBe(subset.length);
      expectPercentilesMatch(points[0]!, subset);
    });

    it('ranks endpoints by 5xx errors with exact counts and p95 within 1%', async () => {
      const { endpoints } = await service.endpoints(tenant, from, to, 'errors', 3);
      expect(endpoints).toHaveLength(3);
      const top = endpoints[0]!;
      const subset = facts.filter(
        (f) => f.service === top.service && f.method === top.method && f.path === top.path,
      );
      expect(top.errors5xx).toBe(subset.filter(is5xx).length);
      expect(top.errors5xx).toBeGreaterThanOrEqual(endpoints[1]!.errors5xx);
      expectPercentilesMatch(top, subset);
    });

    it('ranks endpoints by p95 over every endpoint, slowest first', async () => {
      const { endpoints } = await service.endpoints(tenant, from, to, 'p95', 2);
      const keys = [...new Set(facts.map((f) => `${f.service} ${f.method} ${f.path}`))];
      const exactP95 = keys
        .map((k) => {
          const sorted = facts
            .filter((f) => `${f.service} ${f.method} ${f.path}` === k)
            .map((f) => f.latency_ms)
            .sort((a, b) => a - b);
          return exactQuantile(sorted, 0.95);
        })
        .sort((a, b) => b - a);
      expect(endpoints).toHaveLength(2);
      expectWithinOnePercent(endpoints[0]!.p95, exactP95[0]!);
      expect(endpoints[0]!.p95).toBeGreaterThanOrEqual(endpoints[1]!.p95!);
    });

    it('combines hour rows and minute rows exactly when a range has ragged ends', async () => {
      const [raggedFrom, raggedTo] = [from + 25 * 60_000, to - 10 * 60_000];
      const inRange = facts.filter((f) => f.ts >= raggedFrom && f.ts < raggedTo);
      const { endpoints } = await service.endpoints(tenant, raggedFrom, to, 'requests', 1000);
      const tail = facts.filter((f) => f.ts >= raggedFrom);
      expect(endpoints.reduce((sum, e) => sum + e.requests, 0)).toBe(tail.length);
      const top = endpoints[0]!;
      expectPercentilesMatch(
        top,
        tail.filter((f) => f.service === top.service && f.method === top.method && f.path === top.path),
      );
      const { points } = await service.timeseries({ tenant, from, to: raggedTo, stepMs: 3_600_000 });
      expect(points.map((p) => p.requests)).toEqual([
        facts.filter((f) => f.ts >= from && f.ts < from + 3_600_000).length,
        inRange.filter((f) => f.ts >= from + 3_600_000).length,
      ]);
    });

    it('reads whole days from day tiles and the rest from hours and minutes, exactly', async () => {
      // 2026-11-18T22:35 .. 2026-11-20T11:50: minutes, hours, the whole day 2026-11-19, hours, minutes.
      const [wideFrom, wideTo] = [base - day - 11 * 3_600_000 - 25 * 60_000, to - 10 * 60_000];
      const all = [...dayBefore, ...facts].filter((f) => f.ts >= wideFrom && f.ts < wideTo);
      const { endpoints } = await service.endpoints(tenant, wideFrom, wideTo, 'p95', 1000);
      expect(endpoints.reduce((sum, e) => sum + e.requests, 0)).toBe(all.length);
      expect(endpoints.reduce((sum, e) => sum + e.errors5xx, 0)).toBe(all.filter(is5xx).length);
      const top = endpoints[0]!;
      expectPercentilesMatch(
        top,
        all.filter((f) => f.service === top.service && f.method === top.method && f.path === top.path),
      );
    });

    it('reads a whole day of a chart and of a service list from the day-hours tiles, exactly', async () => {
      // 2026-11-18T23:00 .. 2026-11-20T12:00 in 1-hour steps: an hour, the whole day 2026-11-19 (its tiles), hours.
      const [wideFrom, wideTo, stepMs] = [base - day - 11 * 3_600_000, base + 2 * 3_600_000, 3_600_000];
      const all = [...dayBefore, ...facts].filter((f) => f.ts >= wideFrom && f.ts < wideTo);
      const [first] = all;
      const endpoint = { service: first!.service, method: first!.method, path: first!.path };
      const ofEndpoint = (f: RawFact) =>
        f.service === endpoint.service && f.method === endpoint.method && f.path === endpoint.path;
      const [chart, drilled, listed] = await Promise.all([
        service.timeseries({ tenant, from: wideFrom, to: wideTo, stepMs }),
        service.timeseries({ tenant, from: wideFrom, to: wideTo, stepMs, ...endpoint }),
        service.services(tenant, wideFrom, wideTo, 1000),
      ]);
      for (const [points, subset] of [
        [chart.points, all],
        [drilled.points, all.filter(ofEndpoint)],
      ] as const) {
        expect(points.reduce((sum, p) => sum + p.requests, 0)).toBe(subset.length);
        for (const p of points) {
          const inStep = subset.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs);
          expect([p.requests, p.errors5xx]).toEqual([inStep.length, inStep.filter(is5xx).length]);
          if (inStep.length > 0) expectPercentilesMatch(p, inStep);
        }
      }
      for (const s of listed.services) {
        const subset = all.filter((f) => f.service === s.service);
        expect([s.requests, s.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
      }
    });

    it('reads the closed hours of an open day from its open-day tiles, and the day before from its tiles, exactly', async () => {
      const tiles = await new RollupManifests(store).tiles('openday');
      expect(tiles.openDays).toEqual(new Map([['2026-11-22', openDayHours]]));
      expect(tiles.quarterTiles).toEqual(new Set(['2026-11-21']));
      // 2026-11-21T12:00 .. 2026-11-22T11:00 in 1-hour steps: hours 12-23 of the day before, the open-day tiles,
      // hours 09 and 10. At quarter-hour steps: the day before's quarter-hour tiles (its minute files are gone),
      // the open day's quarter-hour tiles, the minutes of hours 09 and 10.
      const [wideFrom, wideTo, stepMs] = [
        openDayStart - 12 * 3_600_000,
        openDayStart + 11 * 3_600_000,
        3_600_000,
      ];
      const open = 'openday';
      const all = [...closedDayFacts, ...openDayFacts];
      const [first] = openDayFacts;
      const endpoint = { service: first!.service, method: first!.method, path: first!.path };
      const ofEndpoint = (f: RawFact) =>
        f.service === endpoint.service && f.method === endpoint.method && f.path === endpoint.path;
      const quarterMs = 15 * 60_000;
      // A range starting mid-day on the day before: a run of its quarters, not the whole tile.
      const quarterFrom = closedDayStart + 45 * 60_000;
      const [chart, quarterChart, drilledQuarters, drilled, listed, table] = await Promise.all([
        service.timeseries({ tenant: open, from: wideFrom, to: wideTo, stepMs }),
        service.timeseries({ tenant: open, from: quarterFrom, to: wideTo, stepMs: quarterMs }),
        service.timeseries({ tenant: open, from: quarterFrom, to: wideTo, stepMs: quarterMs, ...endpoint }),
        service.timeseries({ tenant: open, from: wideFrom, to: wideTo, stepMs, ...endpoint }),
        service.services(open, wideFrom, wideTo, 1000),
        service.endpoints(open, wideFrom, wideTo, 'p95', 1000),
      ]);
      const fromQuarter = all.filter((f) => f.ts >= quarterFrom);
      for (const [points, subset, step] of [
        [chart.points, all, stepMs],
        [quarterChart.points, fromQuarter, quarterMs],
        [drilledQuarters.points, fromQuarter.filter(ofEndpoint), quarterMs],
        [drilled.points, all.filter(ofEndpoint), stepMs],
      ] as const) {
        expect(subset.length).toBeGreaterThan(0);
        expect(points.reduce((sum, p) => sum + p.requests, 0)).toBe(subset.length);
        for (const p of points) {
          const inStep = subset.filter((f) => f.ts >= p.t && f.ts < p.t + step);
          expect([p.requests, p.errors5xx]).toEqual([inStep.length, inStep.filter(is5xx).length]);
          if (inStep.length > 0) expectPercentilesMatch(p, inStep);
        }
      }
      for (const s of listed.services) {
        const subset = all.filter((f) => f.service === s.service);
        expect([s.requests, s.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
      }
      expect(table.endpoints.reduce((sum, e) => sum + e.requests, 0)).toBe(all.length);
      for (const e of table.endpoints) {
        const subset = all.filter(
          (f) => f.service === e.service && f.method === e.method && f.path === e.path,
        );
        expect([e.requests, e.errors5xx]).toEqual([subset.length, subset.filter(is5xx).length]);
        expectPercentilesMatch(e, subset);
      }
    });

    itReadsOpenHourTiles(() => ({ service, store, writer }));

    it('overlays the previous day shifted onto the current range for compare=1d', async () => {
      const stepMs = 3_600_000;
      const { compare } = await service.timeseries({ tenant, from, to, stepMs, compare: '1d' });
      expect(compare?.offset).toBe('1d');
      expect(compare!.points.map((p) => p.t)).toEqual([from, from + stepMs]);
      for (const p of compare!.points) {
        const subset = dayBefore.filter((f) => f.ts + day >= p.t && f.ts + day < p.t + stepMs);
        expect(p.requests).toBe(subset.length);
      }
    });

    it("answers a compare=7d overlay that lies before the tenant's first hour with empty steps", async () => {
      // The week before holds no committed hour: the plan reads nothing there (docs/adr/0099), as it found nothing.
      const stepMs = 3_600_000;
      const { points, compare } = await service.timeseries({ tenant, from, to, stepMs, compare: '7d' });
      expect(points.reduce((n, p) => n + p.requests, 0)).toBe(facts.length);
      expect(compare!.points.map((p) => [p.t, p.requests, p.p95])).toEqual([
        [from, 0, null],
        [from + stepMs, 0, null],
      ]);
    });

    it('returns deploy markers in the range', async () => {
      const { events } = await service.events(tenant, from, to);
      expect(events).toEqual([
        {
          t: deploy.ts,
          type: 'deploy',
          service: 'checkout',
          version: 'v1.2.3',
          description: 'rolled out v1.2.3',
        },
      ]);
    });

    it('reports the newest minute with metrics', async () => {
      const newest = Math.max(...facts.map((f) => f.ts));
      expect(await engine.lastMetricMinute(tenant, base + 3 * 3_600_000, 7 * day)).toBe(
        Math.floor(newest / 60_000) * 60_000,
      );
    });

    it('answers an unknown tenant with empty results rather than an error', async () => {
      expect((await service.services('nobody', from, to, 100)).services).toEqual([]);
      expect(await engine.lastMetricMinute('nobody', base, day)).toBeNull();
    });

    it('cuts every list at its limit in the engine and says it was truncated', async () => {
      const all = (await service.services(tenant, from, to, 1000)).services;
      const first = await service.services(tenant, from, to, 2);
      expect(first).toMatchObject({ truncated: true, services: all.slice(0, 2) });
      expect((await service.services(tenant, from, to, all.length)).truncated).toBe(false);
      for (const sort of ['errors', 'error_rate', 'requests', 'p95'] as const) {
        const every = (await service.endpoints(tenant, from, to, sort, 1000)).endpoints;
        const cut = await service.endpoints(tenant, from, to, sort, 3);
        expect(cut.truncated).toBe(true);
        expect(cut.endpoints).toEqual(every.slice(0, 3));
      }
      const counts = await engine.counts({
        tenant,
        from,
        to,
        groupBy: 'endpoint',
        top: { by: 'requests', limit: 4 },
      });
      expect(counts).toHaveLength(4);
    });

    it('answers p99.9 within 1% and the exact max latency per step and per endpoint', async () => {
      const stepMs = 30 * 60_000;
      const { points } = await service.timeseries({ tenant, from, to, stepMs });
      for (const p of points) {
        const sorted = facts
          .filter((f) => f.ts >= p.t && f.ts < p.t + stepMs)
          .map((f) => f.latency_ms)
          .sort((a, b) => a - b);
        expectWithinOnePercent(p.p999, exactQuantile(sorted, 0.999));
        expect(p.max).toBe(roundLatencyMs(sorted.at(-1)!));
      }
      const [top] = (await service.endpoints(tenant, from, to, 'requests', 1)).endpoints;
      const own = facts.filter(
        (f) => f.service === top!.service && f.method === top!.method && f.path === top!.path,
      );
      expect(top!.max).toBe(roundLatencyMs(Math.max(...own.map((f) => f.latency_ms))));
    });

    it('pages endpoints with a total, and leaves out endpoints under min_requests before ranking', async () => {
      const every = (await service.endpoints(tenant, from, to, 'error_rate', 1000)).endpoints;
      const second = await service.endpoints(tenant, from, to, 'error_rate', 3, undefined, undefined, {
        offset: 3,
      });
      expect(second).toMatchObject({ total: every.length, offset: 3, endpoints: every.slice(3, 6) });
      const floor = every.map((e) => e.requests).sort((a, b) => a - b)[Math.floor(every.length / 2)]!;
      const busy = every.filter((e) => e.requests >= floor);
      const ranked = await service.endpoints(tenant, from, to, 'error_rate', 1000, undefined, undefined, {
        minRequests: floor,
      });
      expect(ranked).toMatchObject({ total: busy.length, minRequests: floor, truncated: false });
      expect(ranked.endpoints.map((e) => `${e.service} ${e.method} ${e.path}`)).toEqual(
        busy.map((e) => `${e.service} ${e.method} ${e.path}`),
      );
      const past = await service.endpoints(tenant, from, to, 'errors', 5, undefined, undefined, {
        offset: 10_000,
      });
      expect(past).toMatchObject({ total: every.length, endpoints: [] });
    });

    it('answers the worst minute of each step (max error rate and p99 of its minute rows) with worst=1', async () => {
      const stepMs = 3_600_000;
      const { points } = await service.timeseries({ tenant, from, to, stepMs, worst: true });
      for (const p of points) {
        let worstRate = 0;
        let worstP99 = 0;
        for (let m = p.t; m < p.t + stepMs; m += 60_000) {
          const minute = facts.filter((f) => f.ts >= m && f.ts < m + 60_000);
          if (minute.length === 0) continue;
          worstRate = Math.max(worstRate, minute.filter(is5xx).length / minute.length);
          const sorted = minute.map((f) => f.latency_ms).sort((a, b) => a - b);
          worstP99 = Math.max(worstP99, exactQuantile(sorted, 0.99));
        }
        expect(p.worstMinute!.errorRate).toBeCloseTo(worstRate, 12);
        expectWithinOnePercent(p.worstMinute!.p99, worstP99);
        expect(p.worstMinute!.errorRate!).toBeGreaterThanOrEqual(p.errorRate!);
      }
    });

    it('answers each step latency heatmap: every request in the band of its stored bucket, totals exact', async () => {
      const stepMs = 30 * 60_000;
      const filter = { service: facts[0]!.service };
      const heatmap = await service.latencyHeatmap({ tenant, from, to, stepMs, ...filter });
      const { points } = await service.timeseries({ tenant, from, to, stepMs, ...filter });
      const bandOf = (ms: number) => (ms === 0 ? 0 : heatmapBand(latencyBucketIndex(ms)));
      const own = facts.filter((f) => f.service === filter.service);
      const used = own.map((f) => bandOf(f.latency_ms));
      const lowest = Math.min(...used);
      expect(heatmap.bands).toHaveLength(Math.max(...used) - lowest + 1);
      expect(heatmap.points.map((p) => p.t)).toEqual(points.map((p) => p.t));
      heatmap.points.forEach((p, i) => {
        const subset = own.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs);
        const expected = heatmap.bands.map(() => 0);
        for (const f of subset) expected[bandOf(f.latency_ms) - lowest]! += 1;
        expect(p.counts).toEqual(expected);
        expect(p.total).toBe(points[i]!.requests);
      });
    });

    it('splits every step and endpoint into status classes exactly (1xx+2xx+3xx+4xx+5xx = requests)', async () => {
      const stepMs = 30 * 60_000;
      const { points } = await service.timeseries({ tenant, from, to, stepMs });
      for (const p of points) {
        const subset = facts.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs);
        expect(p).toMatchObject({ ...statusClassesOf(subset), statusUnknown: 0, requests: subset.length });
      }
      const { endpoints } = await service.endpoints(tenant, from, to, 'requests', 1000);
      for (const e of endpoints) {
        const own = facts.filter(
          (f) => f.service === e.service && f.method === e.method && f.path === e.path,
        );
        expect(e).toMatchObject({ ...statusClassesOf(own), statusUnknown: 0 });
      }
      expect(points.reduce((n, p) => n + p.status1xx, 0)).toBeGreaterThan(0);
      expect(points.reduce((n, p) => n + p.status3xx, 0)).toBeGreaterThan(0);
    });

    it('reads files written before the status classes as unknown, never as 2xx or zero, beside newer files', async () => {
      const stepMs = 3_600_000;
      const { points } = await service.timeseries({ tenant: 'upgraded', from, to, stepMs });
      const [old, fresh] = points.map((p) => upgraded.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs));
      const below400 = old!.filter((f) => f.status_code < 400).length;
      expect(points[0]).toMatchObject({
        requests: old!.length,
        errors4xx: statusClassesOf(old!).errors4xx,
        errors5xx: statusClassesOf(old!).errors5xx,
        status1xx: 0,
        status2xx: 0,
        status3xx: 0,
        statusUnknown: below400,
      });
      expect(points[1]).toMatchObject({ ...statusClassesOf(fresh!), statusUnknown: 0 });
      const { endpoints } = await service.endpoints('upgraded', from, to, 'requests', 1000);
      const sum = (pick: (e: (typeof endpoints)[number]) => number) =>
        endpoints.reduce((n, e) => n + pick(e), 0);
      expect(sum((e) => e.statusUnknown)).toBe(below400);
      expect(sum((e) => e.status2xx)).toBe(
        fresh!.filter((f) => f.status_code >= 200 && f.status_code < 300).length,
      );
      expect(sum((e) => e.requests)).toBe(upgraded.length);
    });

    it('answers a tenant whose every file predates the status classes, its split unknown', async () => {
      const { points } = await service.timeseries({ tenant: 'legacy', from, to, stepMs: 2 * 3_600_000 });
      expect(points[0]).toMatchObject({
        requests: legacy.length,
        status2xx: 0,
        statusUnknown: legacy.filter((f) => f.status_code < 400).length,
        errors5xx: legacy.filter(is5xx).length,
      });
      expectPercentilesMatch(points[0]!, legacy);
      const { services } = await service.services('legacy', from, to, 100);
      expect(services.reduce((n, s) => n + s.requests, 0)).toBe(legacy.length);
    });

    it('marks steps, endpoints and services estimated exactly where sampled requests were counted', async () => {
      const stepMs = 3_600_000;
      const weighted = (subset: readonly RawFact[]) => ({
        requests: subset.reduce((n, f) => n + weightOf(f), 0),
        estimatedRequests: subset.reduce((n, f) => n + (f.weight === undefined ? 0 : f.weight), 0),
      });
      const { points } = await service.timeseries({ tenant: 'sampled', from, to, stepMs });
      const inStep = points.map((p) => sampled.filter((f) => f.ts >= p.t && f.ts < p.t + stepMs));
      expect(points.map((p) => [p.requests, p.estimated, p.estimatedRequests])).toEqual(
        inStep.map((s) => [
          weighted(s).requests,
          weighted(s).estimatedRequests > 0,
          weighted(s).estimatedRequests,
        ]),
      );
      expect(points.map((p) => p.estimated)).toEqual([true, false]);
      const { endpoints } = await service.endpoints('sampled', from, to, 'requests', 1000);
      for (const e of endpoints) {
        const own = sampled.filter(
          (f) => f.service === e.service && f.path === e.path && f.method === e.method,
        );
        expect({ endpoint: `${e.method} ${e.path}`, ...e }).toMatchObject({
          ...weighted(own),
          estimated: e.service === 'checkout',
        });
      }
      const { services } = await service.services('sampled', from, to, 100, undefined, true);
      expect(services.map((s) => [s.service, s.estimated])).toEqual(
        services.map((s) => [s.service, s.service === 'checkout']),
      );
    });

    it('reads files written before sampled counts were marked as not estimated', async () => {
      for (const tenantName of ['legacy', 'upgraded', tenant]) {
        const { points } = await service.timeseries({ tenant: tenantName, from, to, stepMs: 3_600_000 });
        expect(points.map((p) => [p.estimated, p.estimatedRequests])).toEqual([
          [false, 0],
          [false, 0],
        ]);
      }
    });

    it('treats a quote in a filter value as data, not SQL', async () => {
      const { points } = await service.timeseries({
        tenant,
        from,
        to,
        stepMs: 2 * 3_600_000,
        service: "x' OR '1'='1",
      });
      expect(points[0]!.requests).toBe(0);
    });
  });
}
