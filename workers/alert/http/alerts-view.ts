import type { RuleState } from '../adapters/alert-store.js';
import type { AlertEvent } from '../domain/alert-state.js';
import { buildAlertRuleStatus } from '../domain/alert-rule-status.js';

/**
 * GET /api/v1/alerts: every series firing now (the dashboard's banner), the firing/resolved history (its list and
 * the spans on its charts) and the SLO rules' error budget per series.
 */
export function buildAlertsView(states: readonly RuleState[], history: readonly AlertEvent[]) {
  const firing = states.flatMap((s) =>
    Object.values(s.series)
      .filter((series) => series.state === 'firing')
      .map((series) => ({
        rule: s.rule,
        service: series.key.service ?? null,
        method: series.key.method ?? null,
        path: series.key.path ?? null,
        severity: series.severity ?? null,
        since: series.firingSince ?? series.since,
        value: series.value,
        expected: series.expected,
        explanation: series.explanation,
        budgetRemainingPct: series.budgetRemainingPct ?? null,
      })),
  );
  // The same state and worst value `kubectl get gravixalertrules` shows, so the page and the CRD never disagree.
  const rules = states.map((s) => {
    const status = buildAlertRuleStatus(s, undefined);
    return {
      rule: s.rule,
      state: status.state ?? 'inactive',
      value: status.value ?? null,
      firing: status.firing ?? 0,
      evaluatedThrough: s.evaluatedThrough,
      lastEvaluationAt: s.lastEvaluationAt,
      error: s.error ?? null,
    };
  });
  const events = history.map((e) => ({
    id: e.id,
    kind: e.kind,
    rule: e.rule,
    service: e.key.service ?? null,
    method: e.key.method ?? null,
    path: e.key.path ?? null,
    severity: e.severity,
    startsAt: e.startsAt,
    endsAt: e.endsAt ?? null,
    at: e.at,
    value: e.value,
    explanation: e.explanation,
  }));
  const budgets = states.flatMap((s) =>
    Object.values(s.budgets ?? {}).map((b) => ({
      rule: s.rule,
      service: b.key.service ?? null,
      method: b.key.method ?? null,
      path: b.key.path ?? null,
      budgetRemainingPct: b.budgetRemainingPct,
      at: b.at,
    })),
  );
  return { firing, rules, history: events, budgets };
}

/** The answer of GET /api/v1/alerts (the dashboard's banner, alerts page and chart bands read it). */
export type AlertsResponse = ReturnType<typeof buildAlertsView>;
