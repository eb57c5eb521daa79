import { latencyRelativeAccuracy } from './latency-sketch.js';
import fc from 'fast-check';
import {
  addStatusClasses,
  MinuteMetricsAggregator,
  buildMinuteStart,
  mergeMinuteMetrics,
  type MinuteMetricsFilter,
} from './minute-metrics.js';
import { buildSeededFacts, exactQuantile } from '../rollup/testing/seeded-raw-events.js';
import type { RawFact } from './raw-record.js';
import { rollUpMinutesToHours, rollUpToServices } from './hour-metrics.js';

const hour = Date.parse('2026-11-20T10:00:00Z');
const tolerance = latencyRelativeAccuracy + 1e-9;

function oracle(facts: RawFact[], filter: MinuteMetricsFilter) {
  const selected = facts.filter(
    (f) =>
      (filter.service === undefined || f.service === filter.service) &&
      (filter.method === undefined || f.method === filter.method) &&
      (filter.path === undefined || f.path === filter.path) &&
      (filter.fromMs === undefined || buildMinuteStart(f.ts) >= filter.fromMs) &&
      (filter.toMs === undefined || buildMinuteStart(f.ts) < filter.toMs),
  );
  const sorted = selected.map((f) => f.latency_ms).sort((a, b) => a - b);
  return {
    requests: selected.length,
    errors5xx: selected.filter((f) => f.status_code >= 500).length,
    errors4xx: selected.filter((f) => f.status_code >= 400 && f.status_code < 500).length,
    status1xx: selected.filter((f) => f.status_code < 200).length,
    status2xx: selected.filter((f) => f.status_code >= 200 && f.status_code < 300).length,
    status3xx: selected.filter((f) => f.status_code >= 300 && f.status_code < 400).length,
    sorted,
  };
}

describe('MinuteMetricsAggregator against an exact oracle', () => {
  const facts = buildSeededFacts({ seed: 7, count: 60_000, fromMs: hour });
  const aggregator = new MinuteMetricsAggregator();
  facts.forEach((f) => aggregator.add(f));
  const rows = aggregator.rows();

  const filters: [string, MinuteMetricsFilter][] = [
    ['the whole hour', {}],
    ['one service', { service: 'checkout' }],
    ['one endpoint', { service: 'search', method: 'GET', path: '/api/items/:id' }],
    ['a 7-minute range', { fromMs: hour + 10 * 60_000, toMs: hour + 17 * 60_000 }],
    ['one minute of one service', { service: 'auth', fromMs: hour + 42 * 60_000, toMs: hour + 43 * 60_000 }],
  ];

  it.each(filters)('gives exact counts and p50/p95/p99/p99.9 within 1%% over %s', (_name, filter) => {
    const merged = mergeMinuteMetrics(rows, filter);
    const exact = oracle(facts, filter);
    expect(merged.requests).toBe(exact.requests);
    expect(merged.errors5xx).toBe(exact.errors5xx);
    expect(merged.errors4xx).toBe(exact.errors4xx);
    expect([merged.status1xx, merged.status2xx, merged.status3xx]).toEqual([
      exact.status1xx,
      exact.status2xx,
      exact.status3xx,
    ]);
    for (const q of [0.5, 0.95, 0.99, 0.999]) {
      const want = exactQuantile(exact.sorted, q);
      const got = merged.quantile(q)!;
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(tolerance);
    }
  });

  it('writes one row per (minute, service, method, path), sorted', () => {
    const keys = rows.map((r) => `${r.minuteMs}|${r.service}|${r.method}|${r.path}`);
    expect(new Set(keys).size).toBe(rows.length);
    expect(rows.length).toBe(60 * 3 * 4);
    expect(rows.map((r) => r.minuteMs)).toEqual([...rows.map((r) => r.minuteMs)].sort((a, b) => a - b));
  });

  it('precomputes per-row percentiles within 1% and exact min/max/sum', () => {
    const row = rows[5]!;
    const own = facts
      .filter(
        (f) =>
          buildMinuteStart(f.ts) === row.minuteMs &&
          f.service === row.service &&
          f.path === row.path &&
          f.method === row.method,
      )
      .map((f) => f.latency_ms)
      .sort((a, b) => a - b);
    expect(row.latencyMinMs).toBe(own[0]);
    expect(row.latencyMaxMs).toBe(own[own.length - 1]);
    expect(row.latencySumMs).toBeCloseTo(
      own.reduce((s, v) => s + v, 0),
      6,
    );
    const want = exactQuantile(own, 0.95);
    expect(Math.abs(row.latencyP95Ms - want) / want).toBeLessThanOrEqual(tolerance);
  });

  it('answers undefined percentiles for a filter that matches nothing', () => {
    const merged = mergeMinuteMetrics(rows, { service: 'nope' });
    expect(merged.requests).toBe(0);
    expect(merged.quantile(0.5)).toBeUndefined();
  });
});

describe('MinuteMetricsAggregator with sampled (weighted) facts', () => {
  const at = (second: number, overrides: Partial<RawFact> = {}): RawFact => ({
    kind: 'fact',
    tenant: 't',
    event_id: `e${second}`,
    ts: hour + second * 1000,
    service: 's',
    method: 'GET',
    path: '/',
    status_code: 200,
    latency_ms: 10,
    ...overrides,
  });

  it('counts each fact as its adjusted count in requests, errors, sum and histogram', () => {
    const agg = new MinuteMetricsAggregator();
    agg.add(at(1, { weight: 4 }));
    agg.add(at(2, { weight: 4, status_code: 503, latency_ms: 100 }));
    agg.add(at(3, { status_code: 404, latency_ms: 1 }));
    const [row] = agg.rows();
    expect(row).toMatchObject({ requests: 9, errors5xx: 4, errors4xx: 1, latencySumMs: 441 });
    expect(row!.latency.counts.reduce((a, b) => a + b, 0) + row!.latency.zeroCount).toBe(9);
    const merged = mergeMinuteMetrics(agg.rows(), {});
    // 4 of 9 requests took 10 ms, 1 took 1 ms, 4 took 100 ms: the median is 10 ms, p90 is 100 ms.
    expect(merged.quantile(0.5)).toBeCloseTo(10, -0.5);
    expect(Math.abs(merged.quantile(0.9)! - 100) / 100).toBeLessThanOrEqual(tolerance);
  });

  it('rounds fractional adjusted counts per row, keeping every observed bucket', () => {
    const agg = new MinuteMetricsAggregator();
    for (let i = 0; i < 3; i++) agg.add(at(i, { weight: 1 / 0.3, latency_ms: 5 }));
    agg.add(at(10, { weight: 1 / 0.3, latency_ms: 500, status_code: 500 }));
    const [row] = agg.rows();
    expect(row).toMatchObject({ requests: 13, errors5xx: 3 });
    expect(row!.latency.counts).toEqual([10, 3]);
  });

  it('reads a fact without a weight (every raw file before weights) as 1', () => {
    const agg = new MinuteMetricsAggregator();
    agg.add(at(1));
    agg.add(at(2, { weight: 1 }));
    expect(agg.rows()[0]).toMatchObject({ requests: 2, latencySumMs: 20, estimatedRequests: 0 });
  });

  it('counts the requests that came from sampled facts, so a row says it is an estimate', () => {
    const agg = new MinuteMetricsAggregator();
    agg.add(at(1, { weight: 4 }));
    agg.add(at(2));
    agg.add(at(61, { weight: 1 / 0.3 }));
    agg.add(at(125));
    expect(agg.rows().map((r) => [r.requests, r.estimatedRequests])).toEqual([
      [5, 4],
      [3, 3],
      [1, 0],
    ]);
  });

  it('keeps a row estimated when its fractional adjusted counts round to nothing', () => {
    const agg = new MinuteMetricsAggregator();
    agg.add(at(1, { weight: 0.2 }));
    expect(agg.rows()[0]).toMatchObject({ estimatedRequests: 1 });
  });

  it('sums estimated requests through hour and service rows, exactly like requests', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ second: fc.nat(7199), weight: fc.constantFrom(undefined, 2, 4, 10) }), {
          minLength: 1,
          maxLength: 100,
        }),
        (spec) => {
          const agg = new MinuteMetricsAggregator();
          spec.forEach(({ second, weight }, i) =>
            agg.add(at(second, { event_id: `e${i}`, ...(weight === undefined ? {} : { weight }) })),
          );
          const expected = spec.reduce((n, s) => n + (s.weight ?? 0), 0);
          const total = (rows: readonly { estimatedRequests: number }[]) =>
            rows.reduce((n, r) => n + r.estimatedRequests, 0);
          expect(total(agg.rows())).toBe(expected);
          expect(total(rollUpMinutesToHours(agg.rows()))).toBe(expected);
          expect(total(rollUpToServices(agg.rows(), 'hour'))).toBe(expected);
        },
      ),
    );
  });
});

describe('status classes', () => {
  it('split every minute row into 1xx + 2xx + 3xx + 4xx + 5xx = requests, for any status code', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 100, max: 599 }), { minLength: 1, maxLength: 200 }), (codes) => {
        const aggregator = new MinuteMetricsAggregator();
        codes.forEach((status_code, i) =>
          aggregator.add({
            ts: hour + i,
            service: 's',
            method: 'GET',
            path: '/',
            status_code,
            latency_ms: 1,
          }),
        );
        const [row] = aggregator.rows();
        const classOf = (lo: number) => codes.filter((c) => c >= lo && c < lo + 100).length;
        expect([row!.status1xx, row!.status2xx, row!.status3xx, row!.errors4xx, row!.errors5xx]).toEqual(
          [100, 200, 300, 400, 500].map(classOf),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('stay unknown (null) in a merge that includes a row read from a file written before they were stored', () => {
    const aggregator = new MinuteMetricsAggregator();
    buildSeededFacts({ seed: 3, count: 200, fromMs: hour }).forEach((f) => aggregator.add(f));
    const [first, ...rest] = aggregator.rows();
    const older = { ...first!, status1xx: null, status2xx: null, status3xx: null };
    const merged = mergeMinuteMetrics([older, ...rest]);
    expect([merged.status1xx, merged.status2xx, merged.status3xx]).toEqual([null, null, null]);
    expect(merged.requests).toBe(200);
    expect(addStatusClasses(rest[0]!, rest[1]!).status2xx).toBe(rest[0]!.status2xx! + rest[1]!.status2xx!);
  });
});
