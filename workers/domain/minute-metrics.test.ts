import { latencyRelativeAccuracy } from './latency-sketch.js';
import {
  MinuteMetricsAggregator,
  buildMinuteStart,
  mergeMinuteMetrics,
  type MinuteMetricsFilter,
} from './minute-metrics.js';
import { buildSeededFacts, exactQuantile } from '../rollup/testing/seeded-raw-events.js';
import type { RawFact } from './raw-record.js';

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
