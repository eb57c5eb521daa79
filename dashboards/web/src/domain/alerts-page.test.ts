import type { AlertHistoryEvent, RuleEvaluation, SeriesBudget } from './alert-summary.js';
import {
  buildBudgetBars,
  buildHistoryRows,
  buildRuleRows,
  formatDuration,
  historyRange,
} from './alerts-page.js';

const t = Date.UTC(2026, 10, 20, 14, 0);
const rule = (overrides: Partial<RuleEvaluation>): RuleEvaluation => ({
  rule: 'r',
  state: 'inactive',
  value: null,
  firing: 0,
  evaluatedThrough: t,
  lastEvaluationAt: t + 30_000,
  error: null,
  ...overrides,
});
const event = (overrides: Partial<AlertHistoryEvent>): AlertHistoryEvent => ({
  id: 'e',
  kind: 'firing',
  rule: 'payments-errors',
  service: 'payments',
  method: 'POST',
  path: '/charge',
  severity: 'page',
  startsAt: t,
  endsAt: null,
  at: t,
  value: '41.0%',
  explanation: 'error rate 41.0%',
  ...overrides,
});
const budget = (service: string, pct: number): SeriesBudget => ({
  rule: 'availability',
  service,
  method: null,
  path: null,
  budgetRemainingPct: pct,
  at: t,
});

describe('the alerts page', () => {
  it('lists rules with a failed evaluation first, then firing, pending and quiet ones', () => {
    const rows = buildRuleRows(
      [
        rule({ rule: 'quiet' }),
        rule({ rule: 'fires', state: 'firing', value: '41.0%', firing: 2 }),
        rule({ rule: 'broken', state: 'error', error: 'trino query failed: timeout' }),
        rule({ rule: 'new', evaluatedThrough: null, lastEvaluationAt: null }),
      ],
      t + 90_000,
      'UTC',
    );
    expect(rows.map((r) => [r.rule, r.state, r.value, r.evaluated, r.error])).toEqual([
      ['broken', 'error', '—', 'minute 20 Nov 2026, 14:00 · 1 min ago', 'trino query failed: timeout'],
      ['fires', 'firing', '41.0%', 'minute 20 Nov 2026, 14:00 · 1 min ago', ''],
      ['new', 'inactive', '—', 'not yet', ''],
      ['quiet', 'inactive', '—', 'minute 20 Nov 2026, 14:00 · 1 min ago', ''],
    ]);
  });

  it('lists the history newest first and says how long a resolved alert fired', () => {
    const rows = buildHistoryRows(
      [
        event({ id: 'a', at: t }),
        event({ id: 'b', kind: 'resolved', at: t + 12 * 60_000, endsAt: t + 13 * 60_000 }),
      ],
      'UTC',
    );
    expect(rows.map((r) => [r.id, r.kind, r.series, r.startsAt, r.endsAt, r.lasted])).toEqual([
      ['b', 'resolved', 'payments POST /charge', '20 Nov 2026, 14:00', '20 Nov 2026, 14:13', '13 min'],
      ['a', 'firing', 'payments POST /charge', '20 Nov 2026, 14:00', '', ''],
    ]);
  });

  it('filters the history by a window ending a minute from now, the last day for an unknown choice', () => {
    expect(historyRange('6h', t)).toEqual({ from: t - 6 * 3_600_000, to: t + 60_000 });
    expect(historyRange('nonsense', t)).toEqual({ from: t - 86_400_000, to: t + 60_000 });
    expect([formatDuration(59_000), formatDuration(3_600_000), formatDuration(5_400_000)]).toEqual([
      '1 min',
      '1 h',
      '1 h 30 min',
    ]);
    expect(formatDuration(50 * 3_600_000)).toBe('2 days 2 h');
  });

  it('draws error budgets least left first, clamps the bar and says by how much one is overspent', () => {
    const bars = buildBudgetBars([budget('search', 87.5), budget('payments', -12.25), budget('auth', 4.2)]);
    expect(bars.map((b) => [b.series, b.widthPct, b.level, b.text])).toEqual([
      ['payments', 0, 'spent', 'budget spent (12.3% over)'],
      ['auth', 4.2, 'low', '4.2% of the error budget left'],
      ['search', 87.5, 'ok', '87.5% of the error budget left'],
    ]);
    expect(buildBudgetBars([budget('x', 130)])[0]?.widthPct).toBe(100);
  });
});
