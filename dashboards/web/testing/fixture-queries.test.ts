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

  it('reports no freshness and no services before any data exists', () => {
    const q = queries({ lastMetricMinute: null });
    expect(q.freshness(5)).toEqual({
      lastMetricMinute: null,
      lastCommitAt: null,
      lastRollupAt: null,
      newestEventAt: null,
      lagMs: null,
      now: 5,
    });
    expect(q.services(0, last).services).toEqual([]);
  });
});
