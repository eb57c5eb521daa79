import type { AlertRuleStatus } from '../../../crds/gravix-alert-rule-spec.js';
import type { SeriesState } from './alert-state.js';

/** What the status builder reads of a rule's persisted state (workers/alert/adapters/alert-store.ts RuleState). */
export interface RuleStateView {
  evaluatedThrough: number | null;
  lastEvaluationAt: number | null;
  series: Record<string, SeriesState>;
  error?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const rank = { firing: 2, pending: 1 } as const;

/** The series an on-call engineer looks at first: firing before pending, then the longest-running. */
function worst(series: SeriesState[]): SeriesState | undefined {
  return [...series].sort((a, b) => rank[b.state] - rank[a.state] || a.since - b.since)[0];
}

function times(state: RuleStateView): Pick<AlertRuleStatus, 'lastEvaluation' | 'evaluatedMinute'> {
  return {
    ...(state.lastEvaluationAt === null ? {} : { lastEvaluation: iso(state.lastEvaluationAt) }),
    ...(state.evaluatedThrough === null ? {} : { evaluatedMinute: iso(state.evaluatedThrough) }),
  };
}

/**
 * A GravixAlertRule's status (what `kubectl get gravixalertrules` prints) from its persisted state: `error` when
 * the last evaluation failed or the rule object itself is invalid, else firing / pending / inactive by its worst
 * series, with that series' value. Pure: the same state always gives the same status, so an unchanged rule is
 * never patched again.
 */
export function buildAlertRuleStatus(
  state: RuleStateView | undefined,
  observedGeneration: number | undefined,
  invalid?: string,
): AlertRuleStatus {
  const generation = observedGeneration === undefined ? {} : { observedGeneration };
  if (invalid) return { ...generation, state: 'error', error: invalid.slice(0, 1024) };
  if (!state) return { ...generation, state: 'inactive', firing: 0 };
  const series = Object.values(state.series);
  const top = worst(series);
  const firing = series.filter((s) => s.state === 'firing').length;
  const budget = series.find((s) => s.budgetRemainingPct !== undefined)?.budgetRemainingPct;
  return {
    ...generation,
    ...times(state),
    state: state.error ? 'error' : (top?.state ?? 'inactive'),
    ...(top ? { value: top.value.slice(0, 64) } : {}),
    firing,
    ...(budget === undefined ? {} : { errorBudgetRemaining: `${budget.toFixed(1)}%` }),
    ...(state.error ? { error: state.error.slice(0, 1024) } : {}),
  };
}
