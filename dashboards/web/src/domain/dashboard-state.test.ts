import { buildDashboardSearch, DEFAULT_STATE, parseDashboardState } from './dashboard-state.js';

describe('parseDashboardState', () => {
  it('gives the defaults for an empty query string', () => {
    expect(parseDashboardState('')).toEqual(DEFAULT_STATE);
  });

  it('reads a drill-down with compare, sort, custom range and auto-refresh off', () => {
    const state = parseDashboardState(
      '?service=checkout&method=post&path=%2Forders%2F%3Aid&from=2026-11-23T10:00:00Z&to=1795431600000' +
        '&compare=7d&sort=p95&refresh=off&step=15m&tz=utc&page=3&hide=deploy,other,bogus&bucket=2026-11-23T10:15:00Z',
    );
    expect(state).toEqual({
      service: 'checkout',
      endpoint: { method: 'POST', path: '/orders/:id' },
      range: { kind: 'custom', from: Date.UTC(2026, 10, 23, 10), to: Date.UTC(2026, 10, 23, 11) },
      compare: '7d',
      sort: 'p95',
      autoRefresh: false,
      step: 900_000,
      tz: 'utc',
      page: 2,
      hiddenMarkers: ['deploy', 'other'],
      bucket: Date.UTC(2026, 10, 23, 10, 15),
    });
  });

  it('falls back to defaults for invalid values instead of failing', () => {
    const state = parseDashboardState(
      '?range=2y&compare=1w&sort=latency&from=yesterday&to=x&path=/a&step=7m&tz=mars&page=-1&hide=x&bucket=soon',
    );
    expect(state).toEqual(DEFAULT_STATE);
  });

  it('ignores an endpoint without a service because endpoints are per service', () => {
    expect(parseDashboardState('?method=GET&path=/a').endpoint).toBeNull();
  });

  it('ignores a custom range whose start is not before its end', () => {
    expect(parseDashboardState('?from=2000&to=1000&range=6h').range).toEqual({
      kind: 'preset',
      preset: '6h',
    });
  });
});

describe('buildDashboardSearch', () => {
  it('leaves defaults out', () => {
    expect(buildDashboardSearch(DEFAULT_STATE)).toBe('');
  });

  it('round-trips through parseDashboardState', () => {
    const search =
      '?service=checkout&method=GET&path=%2Forders%2F%3Aid&range=24h&compare=1d&sort=requests&refresh=off' +
      '&step=1h&tz=utc&page=2&hide=incident';
    expect(buildDashboardSearch(parseDashboardState(search))).toBe(search);
  });

  it('writes a custom range as ISO instants', () => {
    const search = buildDashboardSearch({
      ...DEFAULT_STATE,
      range: { kind: 'custom', from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) },
    });
    expect(search).toBe('?from=2026-01-01T00%3A00%3A00.000Z&to=2026-01-02T00%3A00%3A00.000Z');
  });
});
