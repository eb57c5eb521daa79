import type { AlertsResponse } from './alert-summary.js';
import { buildAlertSpans, spanLabel, spansForScope, type AlertSpan } from './alert-spans.js';

const t = Date.UTC(2026, 10, 20, 14, 0);
const M = 60_000;
const series = { service: 'payments', method: 'POST', path: '/charge' };
const history = (kind: 'firing' | 'resolved', startsAt: number, endsAt: number | null, rule = 'errors') => ({
  id: `${rule}|${startsAt}|${kind}`,
  kind,
  rule,
  ...series,
  severity: 'page' as const,
  startsAt,
  endsAt,
  at: endsAt === null ? startsAt : endsAt - M,
  value: '41.0%',
  explanation: '',
});
const firing = (since: number, rule = 'errors') => ({
  rule,
  ...series,
  severity: 'page' as const,
  since,
  value: '41.0%',
  expected: '> 5.00%',
  explanation: '',
  budgetRemainingPct: null,
});
const response = (overrides: Partial<AlertsResponse>): AlertsResponse => ({
  firing: [],
  rules: [],
  history: [],
  budgets: [],
  ...overrides,
});

describe('alert spans', () => {
  it('gives a resolved alert its start and end and a firing one a span to the present', () => {
    const spans = buildAlertSpans(
      response({
        history: [
          history('firing', t, null),
          history('resolved', t, t + 10 * M),
          history('firing', t + 60 * M, null),
        ],
        firing: [firing(t + 60 * M)],
      }),
    );
    expect(spans.map((s) => [s.from, s.to])).toEqual([
      [t, t + 10 * M],
      [t + 60 * M, null],
    ]);
  });

  it('draws an alert firing since before the history window, and no span for a firing event whose end is unknown', () => {
    const spans = buildAlertSpans(
      response({ history: [history('firing', t + 5 * M, null, 'gone')], firing: [firing(t - 600 * M)] }),
    );
    expect(spans.map((s) => [s.rule, s.from, s.to])).toEqual([['errors', t - 600 * M, null]]);
  });

  it('shows an endpoint’s spans on the endpoint and on its service, a tenant-wide one on all services only', () => {
    const span = (service: string | null, method: string | null, path: string | null): AlertSpan => ({
      rule: 'r',
      service,
      method,
      path,
      severity: 'page',
      from: t,
      to: null,
    });
    const spans = [span('payments', 'POST', '/charge'), span('payments', null, null), span(null, null, null)];
    const shown = (scope: Parameters<typeof spansForScope>[1]) =>
      spansForScope(spans, scope).map((s) => [s.service, s.method]);
    expect(shown({ service: null, endpoint: null })).toEqual([[null, null]]);
    expect(shown({ service: 'payments', endpoint: null })).toEqual([
      ['payments', 'POST'],
      ['payments', null],
    ]);
    expect(shown({ service: 'payments', endpoint: { method: 'POST', path: '/charge' } })).toEqual([
      ['payments', 'POST'],
      ['payments', null],
    ]);
    expect(shown({ service: 'payments', endpoint: { method: 'GET', path: '/charge' } })).toEqual([
      ['payments', null],
    ]);
    expect(shown({ service: 'search', endpoint: null })).toEqual([]);
    expect(spanLabel(spans[0]!, { endpoint: null })).toBe('r · payments POST /charge');
    expect(spanLabel(spans[0]!, { endpoint: { method: 'POST' } })).toBe('r');
  });
});
