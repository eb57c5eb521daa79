import {
  buildOverviewRow,
  comparisonLabel,
  comparisonOffsetMs,
  errorRateChange,
  sortOverview,
  sparklinePath,
} from './service-overview.js';

const figures = (requests: number, errors5xx: number, p95: number) => ({
  requests,
  errors5xx,
  errorRate: requests > 0 ? errors5xx / requests : null,
  p95,
  p99: p95 * 2,
});

describe('service overview', () => {
  it('says how each figure changed against last week, coloured only when significant', () => {
    const row = buildOverviewRow({
      service: 'payments',
      now: figures(10_000, 500, 240),
      lastWeek: figures(10_000, 50, 200),
      spark: [],
    });
    expect(row.changes.errorRate).toEqual({
      text: '+4.5 pp vs last week',
      direction: 'worse',
      significant: true,
    });
    expect(row.changes.p95).toEqual({ text: '+20% vs last week', direction: 'worse', significant: true });
    expect(row.changes.requests).toEqual({ text: '±0% vs last week', direction: 'same', significant: false });
  });

  it('does not call one failed request out of ten an incident', () => {
    expect(errorRateChange(figures(10, 1, 1), figures(10, 0, 1))).toMatchObject({
      direction: 'worse',
      significant: false,
    });
  });

  it('sorts what got worse most first and services without last week last', () => {
    const rows = [
      buildOverviewRow({ service: 'new', now: figures(100, 50, 10), lastWeek: null, spark: [] }),
      buildOverviewRow({
        service: 'slower',
        now: figures(100, 0, 20),
        lastWeek: figures(100, 0, 10),
        spark: [],
      }),
      buildOverviewRow({
        service: 'failing',
        now: figures(100, 5, 10),
        lastWeek: figures(100, 0, 10),
        spark: [],
      }),
    ];
    expect(sortOverview(rows).map((r) => r.service)).toEqual(['failing', 'slower', 'new']);
  });

  it('draws a sparkline that breaks at gaps', () => {
    expect(sparklinePath([0, 2, null, 1], 30, 12)).toBe('M0,11L10,1M30,6');
  });
});

describe('the overview’s earlier window', () => {
  const day = 86_400_000;
  it('lies a week back for ranges up to a week, and whole weeks past the range beyond (never overlapping)', () => {
    expect(comparisonOffsetMs(3_600_000)).toBe(7 * day);
    expect(comparisonOffsetMs(7 * day)).toBe(7 * day);
    expect(comparisonOffsetMs(30 * day)).toBe(35 * day);
    expect(comparisonOffsetMs(30 * day)).toBeGreaterThanOrEqual(30 * day);
    expect(comparisonLabel(7 * day)).toBe('last week');
    expect(comparisonLabel(35 * day)).toBe('5 weeks earlier');
  });

  it('names that window in every change text', () => {
    const now = { requests: 1000, errors5xx: 20, errorRate: 0.02, p95: 120, p99: 200 };
    const before = { requests: 1000, errors5xx: 5, errorRate: 0.005, p95: 100, p99: 200 };
    const row = buildOverviewRow({
      service: 's',
      now,
      lastWeek: before,
      spark: [],
      against: '5 weeks earlier',
    });
    expect(row.changes.errorRate.text).toBe('+1.5 pp vs 5 weeks earlier');
    expect(row.changes.p95.text).toBe('+20% vs 5 weeks earlier');
  });
});
