import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import type { RawFact } from '../../domain/raw-record.js';
import { runRollupOnce } from '../../rollup/app/run-rollup-once.js';
import { putRawSegment } from '../../rollup/testing/raw-segments.js';
import { buildSeededFacts } from '../../rollup/testing/seeded-raw-events.js';
import { RollupManifests } from '../adapters/rollup-manifests.js';
import type {
  CountRow,
  EventRow,
  EventsQuery,
  ExemplarRow,
  ExemplarsQuery,
  HistogramRow,
  MetricsQuery,
  QueryEngine,
  SummaryRow,
} from '../app/query-engine.js';
import { QueryService } from '../app/query-service.js';
import { ResultCachingEngine } from '../app/result-cache.js';

const hour = 3_600_000;
const day = 24 * hour;
const tenant = 'cachecontract';
// "Now" is 12:30 on a fixed day: hours 06-11 are closed, 12 is open.
const now = Date.parse('2026-11-21T12:30:00Z');
const openHour = now - 30 * 60_000;
const from = openHour - 6 * hour;
const to = now + 60_000;
const facts = buildSeededFacts({ seed: 41, count: 3000, fromMs: from, spanMs: to - 60_000 - from, tenant });

/** The real engine, recording the time range of every statement that reaches it. */
class RecordingEngine implements QueryEngine {
  readonly ranges: { from: number; to: number }[] = [];
  constructor(private readonly engine: QueryEngine) {}
  get prefersOneStatement(): boolean | undefined {
    return this.engine.prefersOneStatement;
  }
  private seen<T>(query: MetricsQuery, result: Promise<T>): Promise<T> {
    this.ranges.push({ from: query.from, to: query.to });
    return result;
  }
  counts = (q: MetricsQuery): Promise<CountRow[]> => this.seen(q, this.engine.counts(q));
  summaries = (q: MetricsQuery): Promise<SummaryRow[]> => this.seen(q, this.engine.summaries(q));
  histograms = (q: MetricsQuery): Promise<HistogramRow[]> => this.seen(q, this.engine.histograms(q));
  events = (q: EventsQuery): Promise<EventRow[]> => this.engine.events(q);
  exemplars = (q: ExemplarsQuery): Promise<ExemplarRow[]> => this.engine.exemplars(q);
  lastMetricMinute = (t: string, n: number, l: number) => this.engine.lastMetricMinute(t, n, l);
  ping = () => this.engine.ping();
  close = () => Promise.resolve();
}

/** An engine's non-metrics calls, passed through (the metrics ones are wrapped per test). */
const recordingMethods = (engine: QueryEngine): QueryEngine => ({
  counts: (q) => engine.counts(q),
  summaries: (q) => engine.summaries(q),
  histograms: (q) => engine.histograms(q),
  events: (q) => engine.events(q),
  exemplars: (q) => engine.exemplars(q),
  lastMetricMinute: (t, n, l) => engine.lastMetricMinute(t, n, l),
  ping: () => engine.ping(),
  close: () => Promise.resolve(),
});

async function putFacts(store: ObjectStore, records: readonly RawFact[], seq: number): Promise<number> {
  const byHour = new Map<number, RawFact[]>();
  for (const f of records)
    byHour.set(Math.floor(f.ts / hour), [...(byHour.get(Math.floor(f.ts / hour)) ?? []), f]);
  for (const group of byHour.values()) await putRawSegment(store, group, { seq: ++seq, ingester: 'cache' });
  return seq;
}

const rollUp = (store: ObjectStore) =>
  runRollupOnce({
    store,
    nowMs: now,
    latenessMs: 7 * day,
    includeOpen: true,
    rawRetentionMs: 365 * day,
    metricsRetentionMs: 365 * day,
    applyRetention: false,
  });

/**
 * The result cache against a real engine: cached answers equal the engine's own, a refresh sends only the open
 * hour to the engine, and a late fact in a cached closed hour changes the next answer (its commit changes the
 * manifest etag the cached range is keyed by).
 */
export function describeResultCacheContract(
  name: string,
  open: () => Promise<{ engine: QueryEngine; store: ObjectStore }>,
): void {
  describe(`result cache: ${name}`, () => {
    let store: ObjectStore;
    let base: QueryEngine;
    let recording: RecordingEngine;
    let cache: ResultCachingEngine;
    let cached: QueryService;
    let direct: QueryService;
    const calls = (s: QueryService) => ({
      series: () => s.timeseries({ tenant, from, to, stepMs: hour }),
      fine: () => s.timeseries({ tenant, from, to, stepMs: 15 * 60_000, service: facts[0]!.service }),
      errors: () => s.endpoints(tenant, from, to, 'errors', 5),
      slowest: () => s.endpoints(tenant, from, to, 'p95', 5),
      services: () => s.services(tenant, from, to, 100),
    });

    beforeAll(async () => {
      const opened = await open();
      store = opened.store;
      await putFacts(store, facts, 0);
      await rollUp(store);
      base = opened.engine;
      recording = new RecordingEngine(opened.engine);
      const commits = new RollupManifests(store, { maxAgeMs: 0 });
      cache = new ResultCachingEngine(recording, commits, { maxBytes: 64 * 2 ** 20, now: () => now });
      cached = new QueryService(cache, commits);
      direct = new QueryService(opened.engine, commits);
    }, 600_000);

    it('answers every dashboard call exactly as the engine alone does, first load and refresh', async () => {
      for (const [callName, call] of Object.entries(calls(cached))) {
        const expected = await calls(direct)[callName as keyof ReturnType<typeof calls>]();
        expect({ callName, first: await call() }).toEqual({ callName, first: expected });
        expect({ callName, refresh: await call() }).toEqual({ callName, refresh: expected });
      }
    }, 600_000);

    it('sends only the open hour to the engine when a view refreshes', async () => {
      // All but a p95 ranking on an engine with cheap statements, which goes whole (tested below).
      const refreshed = Object.entries(calls(cached))
        .filter(([name]) => name !== 'slowest' || base.prefersOneStatement)
        .map(([, call]) => call);
      for (const call of refreshed) await call();
      // The closed ranges those first views loaded (after their answers, docs/adr/0148).
      await cache.settled();
      recording.ranges.length = 0;
      for (const call of refreshed) await call();
      expect(recording.ranges.length).toBeGreaterThan(0);
      expect(recording.ranges.filter((r) => r.from < openHour)).toEqual([]);
    }, 600_000);

    /** A cache of its own over the engine, recording what reaches the engine (and failing what `fail` says). */
    const freshCache = (fail: (q: MetricsQuery) => boolean = () => false) => {
      const failing: QueryEngine = {
        ...recordingMethods(base),
        prefersOneStatement: base.prefersOneStatement,
        counts: (q) => (fail(q) ? Promise.reject(new Error('injected')) : base.counts(q)),
        summaries: (q) => (fail(q) ? Promise.reject(new Error('injected')) : base.summaries(q)),
        histograms: (q) => (fail(q) ? Promise.reject(new Error('injected')) : base.histograms(q)),
      };
      const seen = new RecordingEngine(failing);
      const commits = new RollupManifests(store, { maxAgeMs: 0 });
      const cache = new ResultCachingEngine(seen, commits, { maxBytes: 64 * 2 ** 20, now: () => now });
      return { seen, cache, service: new QueryService(cache, commits) };
    };

    it('answers a first view whole, as the engine alone, and loads the closed range after it', async () => {
      // A p95 ranking goes to an engine with cheap statements whole every time (below).
      const merged = base.prefersOneStatement
        ? (['slowest', 'errors', 'services'] as const)
        : (['errors', 'services'] as const);
      for (const callName of merged) {
        const { seen, cache, service } = freshCache();
        const first = await calls(service)[callName]();
        await cache.settled();
        // The request's own statements cover the whole range; the closed ranges' loads start only after all of
        // them (an endpoint page's histograms after its counts included).
        const firstLoad = seen.ranges.findIndex((r) => r.from === from && r.to === openHour);
        expect({ callName, firstLoad: firstLoad > 0 }).toEqual({ callName, firstLoad: true });
        expect(seen.ranges.slice(0, firstLoad).every((r) => r.to === to)).toBe(true);
        expect(seen.ranges.slice(firstLoad).every((r) => r.to === openHour)).toBe(true);
        expect(first).toEqual(await calls(direct)[callName]());
        seen.ranges.length = 0;
        expect(await calls(service)[callName]()).toEqual(first);
        expect({ callName, refresh: seen.ranges.every((r) => r.from >= openHour) }).toEqual({
          callName,
          refresh: true,
        });
      }
    }, 600_000);

    it('has a view asked again while its closed range loads wait for that load, not send the range again', async () => {
      const { seen, service } = freshCache();
      const expected = await calls(direct).errors();
      await calls(service).errors();
      seen.ranges.length = 0;
      const [again, third] = await Promise.all([calls(service).errors(), calls(service).errors()]);
      expect([again, third]).toEqual([expected, expected]);
      // No statement over the whole range again; the first view's loads (counts and the page's histograms, or one
      // summaries load on an engine preferring one statement) may start only now, each once.
      expect(seen.ranges.filter((r) => r.to === to && r.from < openHour)).toEqual([]);
      expect(seen.ranges.filter((r) => r.to === openHour).length).toBeLessThanOrEqual(2);
    }, 600_000);

    it('keeps nothing from a failed load: the next view answers whole again and loads once more', async () => {
      let failures = 1;
      const { seen, cache, service } = freshCache((q) => q.to === openHour && failures-- > 0);
      const expected = await calls(direct).errors();
      expect(await calls(service).errors()).toEqual(expected);
      await cache.settled();
      seen.ranges.length = 0;
      expect(await calls(service).errors()).toEqual(expected);
      expect(seen.ranges.some((r) => r.from === from && r.to === to)).toBe(true);
      await cache.settled();
      seen.ranges.length = 0;
      expect(await calls(service).errors()).toEqual(expected);
      expect(seen.ranges.filter((r) => r.from < openHour)).toEqual([]);
    }, 600_000);

    it('sends a p95 ranking whole where a statement costs less than merging every group, and merges it elsewhere', async () => {
      const { seen, cache, service } = freshCache();
      const expected = await calls(direct).slowest();
      expect(await calls(service).slowest()).toEqual(expected);
      await cache.settled();
      seen.ranges.length = 0;
      expect(await calls(service).slowest()).toEqual(expected);
      const whole = seen.ranges.some((r) => r.from === from && r.to === to);
      expect({ whole }).toEqual({ whole: !base.prefersOneStatement });
    }, 600_000);

    it('shows a late fact in a cached closed hour on the next load', async () => {
      const before = await calls(cached).series();
      const lateMinute = from + 2 * hour + 15 * 60_000;
      const late: RawFact = {
        ...facts[0]!,
        event_id: 'late-1',
        ts: lateMinute,
        status_code: 503,
        latency_ms: 9000,
      };
      await putFacts(store, [late], 1000);
      await rollUp(store);
      const after = await calls(cached).series();
      const point = (r: typeof before) => r.points.find((p) => p.t === from + 2 * hour)!;
      expect(point(after).requests).toBe(point(before).requests + 1);
      expect(point(after).errors5xx).toBe(point(before).errors5xx + 1);
      expect(after).toEqual(await calls(direct).series());
      expect(await calls(cached).errors()).toEqual(await calls(direct).errors());
      expect(await calls(cached).slowest()).toEqual(await calls(direct).slowest());
    }, 600_000);
  });
}
