import type { FreshnessResponse } from '../../../../workers/query/api-types.js';
import { buildApiDownFreshness, buildFreshnessView, formatAge } from './freshness-text.js';

const now = Date.parse('2026-12-01T12:00:00Z');
const min = 60_000;

const freshness = (overrides: Partial<FreshnessResponse> = {}): FreshnessResponse => ({
  lastMetricMinute: now - 2 * min,
  lastCommitAt: now - 40_000,
  lastRollupAt: now - 40_000,
  newestEventAt: now - 70_000,
  lastRollupPassAt: now - 40_000,
  lagMs: min,
  now,
  ...overrides,
});

describe('buildFreshnessView', () => {
  it('says separately when the rollup ran and when the newest request happened, ageing since the answer', () => {
    expect(buildFreshnessView(freshness(), 10_000)).toEqual({
      text: 'Rollup ran 50 s ago · newest request 1 min ago',
      stale: false,
      empty: false,
    });
  });

  it('blames the traffic, not the rollup, when the rollup runs but requests stopped', () => {
    const quiet = freshness({ newestEventAt: now - 21 * min, lastMetricMinute: now - 22 * min });
    expect(buildFreshnessView(quiet, 0)).toEqual({
      text: 'Rollup ran 40 s ago · newest request 21 min ago — no requests since, check the service or ingestion',
      stale: true,
      empty: false,
    });
  });

  it('blames the rollup when its last pass is more than 10 minutes old', () => {
    const stuck = freshness({ lastRollupPassAt: now - 12 * min, newestEventAt: now - 12 * min });
    expect(buildFreshnessView(stuck, 0)).toEqual({
      text: 'Rollup ran 12 min ago — check the rollup worker · newest request 12 min ago',
      stale: true,
      empty: false,
    });
  });

  it('falls back to the newest minute when the store has no rollup heartbeat yet', () => {
    const old = freshness({ lastRollupPassAt: null, newestEventAt: null });
    expect(buildFreshnessView(old, 0).text).toBe('Data updated 1 min ago · newest request 1 min ago');
  });

  it('reports no data when no metrics exist yet', () => {
    const none = freshness({ lastMetricMinute: null, newestEventAt: null, lagMs: null });
    expect(buildFreshnessView(none, 0)).toEqual({
      text: 'No data yet · Rollup ran 40 s ago',
      stale: false,
      empty: true,
    });
  });
});

describe('buildApiDownFreshness', () => {
  it('says the API is down and from when the figures are', () => {
    expect(buildApiDownFreshness(now, () => '12:00')).toBe('Query API unreachable — figures are from 12:00');
    expect(buildApiDownFreshness(null, () => '')).toBe('Query API unreachable — data freshness unknown');
  });
});

describe('formatAge', () => {
  it('switches units as the age grows', () => {
    expect(formatAge(3_000)).toBe('just now');
    expect(formatAge(30_000)).toBe('30 s ago');
    expect(formatAge(59 * 60_000)).toBe('59 min ago');
    expect(formatAge(3 * 3_600_000)).toBe('3 h ago');
    expect(formatAge(72 * 3_600_000)).toBe('3 days ago');
  });
});
