import type { SeriesState } from './alert-state.js';
import { buildAlertRuleStatus, type RuleStateView } from './alert-rule-status.js';

const series = (overrides: Partial<SeriesState>): SeriesState => ({
  seriesId: 'checkout',
  key: { service: 'checkout' },
  state: 'pending',
  since: Date.UTC(2026, 11, 2, 14, 0),
  lastSeenAt: Date.UTC(2026, 11, 2, 14, 5),
  value: '4.10%',
  expected: '< 2%',
  explanation: 'error rate 4.10% above 2%',
  ...overrides,
});
const state = (overrides: Partial<RuleStateView>): RuleStateView => ({
  evaluatedThrough: Date.UTC(2026, 11, 2, 14, 5),
  lastEvaluationAt: Date.UTC(2026, 11, 2, 14, 6, 30, 123),
  series: {},
  ...overrides,
});

describe('buildAlertRuleStatus', () => {
  it('says inactive with no firing series, and when it last evaluated which minute', () => {
    expect(buildAlertRuleStatus(state({}), 3)).toEqual({
      observedGeneration: 3,
      lastEvaluation: '2026-12-02T14:06:30Z',
      evaluatedMinute: '2026-12-02T14:05:00Z',
      state: 'inactive',
      firing: 0,
    });
  });

  it('shows the firing series before a pending one that started earlier, and counts the firing ones', () => {
    const s = state({
      series: {
        a: series({ seriesId: 'a', state: 'pending', since: 1, value: '2.50%' }),
        b: series({ seriesId: 'b', state: 'firing', since: 5, value: '9.00%' }),
        c: series({ seriesId: 'c', state: 'firing', since: 7, value: '3.00%' }),
      },
    });
    expect(buildAlertRuleStatus(s, 1)).toMatchObject({ state: 'firing', value: '9.00%', firing: 2 });
  });

  it('reports the error budget an SLO series carries', () => {
    const s = state({ series: { a: series({ state: 'firing', budgetRemainingPct: 12.345 }) } });
    expect(buildAlertRuleStatus(s, 1).errorBudgetRemaining).toBe('12.3%');
  });

  it('says error with the message when the last evaluation failed, keeping the series count', () => {
    const s = state({ error: 'trino: Query exceeded', series: { a: series({ state: 'firing' }) } });
    expect(buildAlertRuleStatus(s, 2)).toMatchObject({
      state: 'error',
      error: 'trino: Query exceeded',
      firing: 1,
    });
  });

  it('says error for a rule object the worker cannot read, and never evaluated it', () => {
    expect(buildAlertRuleStatus(undefined, 4, 'threshold.value: Required (missing)')).toEqual({
      observedGeneration: 4,
      state: 'error',
      error: 'threshold.value: Required (missing)',
    });
  });

  it('cuts what it copies to the CRD field limits', () => {
    const s = state({ error: 'x'.repeat(5000), series: { a: series({ value: 'v'.repeat(200) }) } });
    const status = buildAlertRuleStatus(s, 1);
    expect(status.error).toHaveLength(1024);
    expect(status.value).toHaveLength(64);
  });

  it('gives inactive and no times to a rule the worker has not evaluated yet', () => {
    expect(buildAlertRuleStatus(undefined, undefined)).toEqual({ state: 'inactive', firing: 0 });
  });
});
