import { buildOverviewRow, errorRateChange, sortOverview, sparklinePath } from './service-overview.js';

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
