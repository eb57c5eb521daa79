import { buildFreshnessView, formatAge } from './freshness-text.js';

const freshness = (lagMs: number | null) => ({
  lastMetricMinute: lagMs === null ? null : 0,
  lastCommitAt: lagMs === null ? null : 0,
  lastRollupAt: lagMs === null ? null : 0,
  newestEventAt: lagMs === null ? null : 0,
  lagMs,
  now: 0,
});

describe('buildFreshnessView', () => {
  it('says how old the data is, counting time since the response arrived', () => {
    expect(buildFreshnessView(freshness(60_000), 70_000)).toEqual({
      text: 'Data updated 2 min ago',
      stale: false,
      empty: false,
    });
  });

  it('warns once the data is more than 10 minutes old', () => {
    expect(buildFreshnessView(freshness(10 * 60_000), 0).stale).toBe(false);
    expect(buildFreshnessView(freshness(11 * 60_000), 0)).toEqual({
      text: 'Data updated 11 min ago — stale, check the rollup worker',
      stale: true,
      empty: false,
    });
  });

  it('reports no data when no metrics exist yet', () => {
    expect(buildFreshnessView(freshness(null), 0)).toEqual({
      text: 'No data yet',
      stale: false,
      empty: true,
    });
  });
});

describe('formatAge', () => {
  it('switches units as the age grows', () => {
    expect(formatAge(30_000)).toBe('less than a minute ago');
    expect(formatAge(59 * 60_000)).toBe('59 min ago');
    expect(formatAge(3 * 3_600_000)).toBe('3 h ago');
    expect(formatAge(72 * 3_600_000)).toBe('3 days ago');
  });
});
