import { FIXTURE_ENDPOINTS, MINUTE, quantile } from './fixture-dataset.js';
import { FixtureQueries } from './fixture-queries.js';

const last = 100_000 * MINUTE;
const queries = (overrides: Partial<ConstructorParameters<typeof FixtureQueries>[0]> = {}) =>
  new FixtureQueries({ lastMetricMinute: last, incident: [0, 0], deploys: [], ...overrides });

describe('the fixture API stand-in (UI tests only) follows the query API semantics', () => {
  it('computes percentiles from merged histograms', () => {
    expect(quantile([0, 0, 10, 0, 0], 0.5)).toBe(2);
    expect(quantile([0, 0, 0], 0.5)).toBeNull();
  });

  it('has no data after the newest rolled-up minute', () => {
    const ts = queries().timeseries({ from: last - 2 * MINUTE, to: last + 3 * MINUTE, step: MINUTE });
    expect(ts.points.map((p) => p.requests > 0)).toEqual([true, true, true, false, false]);
    expect(ts.points[4]).toMatchObject({ errorRate: null, p50: null, throughput: 0 });
  });

  it('sums timeseries requests to the endpoints table and the services list', () => {
    const range = { from: last - 60 * MINUTE, to: last + MINUTE };
    const q = queries();
    const total = q.timeseries({ ...range, step: 5 * MINUTE }).points.reduce((a, p) => a + p.requests, 0);
    const rows = q.endpoints({ ...range, sort: 'requests', limit: 50 }).endpoints;
    expect(rows.reduce((a, r) => a + r.requests, 0)).toBe(total);
    expect(q.services(range.from, range.to).services.reduce((a, s) => a + s.requests, 0)).toBe(total);
    expect(rows).toHaveLength(FIXTURE_ENDPOINTS.length);
    expect(rows.map((r) => r.requests)).toEqual([...rows.map((r) => r.requests)].sort((a, b) => b - a));
  });

  it('moves compare points forward onto the current range', () => {
    const q = queries();
    const range = { from: last - 10 * MINUTE, to: last, step: MINUTE };
    const ts = q.timeseries({ ...range, compare: '1d' });
    const dayBefore = q.timeseries({
      from: range.from - 86_400_000,
      to: range.to - 86_400_000,
      step: MINUTE,
    });
    expect(ts.compare!.points.map((p) => p.t)).toEqual(ts.points.map((p) => p.t));
    expect(ts.compare!.points.map((p) => p.requests)).toEqual(dayBefore.points.map((p) => p.requests));
  });

  it('pages endpoints with offset and min_requests, counting all pages in total', () => {
    const range = { from: last - 60 * MINUTE, to: last + MINUTE, sort: 'requests' as const };
    const q = queries();
    const all = q.endpoints({ ...range, limit: 50 }).endpoints;
    const second = q.endpoints({ ...range, limit: 3, offset: 3 });
    expect(second).toMatchObject({ offset: 3, total: all.length, truncated: true, minRequests: 1 });
    expect(second.endpoints).toEqual(all.slice(3, 6));
    const floor = all[2]!.requests;
    const busy = q.endpoints({ ...range, limit: 50, minRequests: floor });
    expect(busy).toMatchObject({ total: 3, minRequests: floor, truncated: false });
  });

  it('answers each step its worst minute, p99 only up to 25 h like the real server', () => {
    const q = queries({ incident: [last / MINUTE - 20, last / MINUTE - 18] });
    const ts = q.timeseries({ from: last - 59 * MINUTE, to: last + MINUTE, step: 15 * MINUTE, worst: true });
    for (const p of ts.points) {
      expect(p.worstMinute!.errorRate!).toBeGreaterThanOrEqual(p.errorRate!);
      expect(p.worstMinute!.p99!).toBeGreaterThanOrEqual(p.p99!);
    }
    const week = q.timeseries({ from: last - 7 * 1440 * MINUTE, to: last, step: 3_600_000, worst: true });
    expect(week.points.at(-1)!.worstMinute).toEqual({ errorRate: expect.any(Number), p99: null });
    expect(
      q.timeseries({ from: last - MINUTE, to: last, step: MINUTE }).points[0]!.worstMinute,
    ).toBeUndefined();
  });

  it('lists services busiest first, cut at limit, with percentiles on request', () => {
    const range = [last - 60 * MINUTE, last + MINUTE] as const;
    const q = queries();
    const all = q.services(...range).services;
    expect(all.map((s) => s.service)).toEqual(['search', 'checkout', 'payments']);
    expect(all[0]!.p95).toBeUndefined();
    const top = q.services(...range, { limit: 2, latency: true });
    expect(top.truncated).toBe(true);
    expect(top.services.map((s) => s.service)).toEqual(['search', 'checkout']);
    expect(top.services[0]!.p99!).toBeGreaterThanOrEqual(top.services[0]!.p50!);
  });

  it('reports no freshness and no services before any data exists', () => {
    const q = queries({ lastMetricMinute: null });
    expect(q.freshness(5)).toEqual({
      lastMetricMinute: null,
      lastCommitAt: null,
      lastRollupAt: null,
      newestEventAt: null,
      lastRollupPassAt: null,
      lagMs: null,
      now: 5,
    });
    expect(q.services(0, last).services).toEqual([]);
  });
});
