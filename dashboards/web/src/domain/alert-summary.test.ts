import {
  alertViewSearch,
  bannerHeading,
  buildBannerItems,
  seriesLabel,
  type FiringAlert,
} from './alert-summary.js';

const t = Date.UTC(2026, 10, 20, 14, 5);
const firing = (overrides: Partial<FiringAlert> = {}): FiringAlert => ({
  rule: 'payments-errors',
  service: 'payments',
  method: 'POST',
  path: '/charge',
  severity: 'page',
  since: t,
  value: '41.0%',
  expected: '> 5.00%',
  explanation: 'error rate 41.0% above 5.00%',
  budgetRemainingPct: null,
  ...overrides,
});

describe('the alert banner', () => {
  it('says rule, series, value against the threshold and since when, in the page zone', () => {
    const [item] = buildBannerItems([firing()], t + 12 * 60_000, 'UTC');
    expect(item).toEqual({
      alert: firing(),
      series: 'payments POST /charge',
      text: 'payments-errors · payments POST /charge: 41.0% vs > 5.00% · firing since 20 Nov 2026, 14:05 (12 min ago)',
      search: '?service=payments&method=POST&path=%2Fcharge',
    });
  });

  it('lists pages before tickets, then the longest-running first', () => {
    const items = buildBannerItems(
      [
        firing({ rule: 'slow', severity: 'ticket', since: t - 60_000 }),
        firing({ rule: 'late', since: t + 60_000 }),
        firing({ rule: 'early', since: t }),
      ],
      t + 3_600_000,
      'UTC',
    );
    expect(items.map((i) => i.alert.rule)).toEqual(['early', 'late', 'slow']);
  });

  it('names a service-level series by its service and a rule over everything as all services', () => {
    expect(seriesLabel({ service: 'search', method: null, path: null })).toBe('search');
    expect(seriesLabel({ service: null, method: null, path: null })).toBe('all services');
    expect(bannerHeading(1)).toBe('1 alert firing');
    expect(bannerHeading(3)).toBe('3 alerts firing');
  });

  it('links to a preset range long enough to show the start with ten minutes before it', () => {
    const key = { service: 'search', method: null, path: null };
    expect(alertViewSearch(key, t, t + 40 * 60_000)).toBe('?service=search');
    expect(alertViewSearch(key, t, t + 3 * 3_600_000)).toBe('?service=search&range=6h');
    expect(alertViewSearch(key, t, t + 40 * 86_400_000)).toBe('?service=search&range=30d');
    expect(alertViewSearch({ service: null, method: null, path: null }, t, t + 60_000)).toBe('?range=15m');
  });
});
