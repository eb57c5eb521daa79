import {
  seriesLabel,
  type AlertHistoryEvent,
  type RuleEvaluation,
  type SeriesBudget,
} from './alert-summary.js';
import { formatAge } from './freshness-text.js';
import { formatInstant } from './scale.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The history's time filter (the API's from/to); the page opens on the last 24 hours. */
export const HISTORY_WINDOWS = [
  { key: '1h', label: 'Last hour', ms: HOUR },
  { key: '6h', label: 'Last 6 hours', ms: 6 * HOUR },
  { key: '24h', label: 'Last 24 hours', ms: DAY },
  { key: '7d', label: 'Last 7 days', ms: 7 * DAY },
  { key: '30d', label: 'Last 30 days', ms: 30 * DAY },
] as const;
export type HistoryWindow = (typeof HISTORY_WINDOWS)[number]['key'];

/** `to` is a minute ahead: an event decided this minute is inside the window. */
export function historyRange(key: string, now: number): { from: number; to: number } {
  const ms = HISTORY_WINDOWS.find((w) => w.key === key)?.ms ?? DAY;
  return { from: now - ms, to: now + MINUTE };
}

export interface RuleRow {
  rule: string;
  state: RuleEvaluation['state'];
  value: string;
  firing: number;
  evaluated: string;
  error: string;
}

/** Each rule's last evaluation: errors first (something is broken), then firing, pending, inactive; then by name. */
export function buildRuleRows(rules: readonly RuleEvaluation[], now: number, timeZone?: string): RuleRow[] {
  const rank = { error: 0, firing: 1, pending: 2, inactive: 3 } as const;
  return [...rules]
    .sort((a, b) => rank[a.state] - rank[b.state] || a.rule.localeCompare(b.rule))
    .map((r) => ({
      rule: r.rule,
      state: r.state,
      value: r.value ?? '—',
      firing: r.firing,
      evaluated:
        r.evaluatedThrough === null
          ? 'not yet'
          : `minute ${formatInstant(r.evaluatedThrough, timeZone)}` +
            (r.lastEvaluationAt === null ? '' : ` · ${formatAge(now - r.lastEvaluationAt)}`),
      error: r.error ?? '',
    }));
}

export interface HistoryRow {
  id: string;
  kind: AlertHistoryEvent['kind'];
  rule: string;
  series: string;
  severity: string;
  startsAt: string;
  endsAt: string;
  lasted: string;
  value: string;
  explanation: string;
}

/** Newest decision first; a resolve says how long the alert fired. */
export function buildHistoryRows(history: readonly AlertHistoryEvent[], timeZone?: string): HistoryRow[] {
  return [...history]
    .sort((a, b) => b.at - a.at || a.id.localeCompare(b.id))
    .map((e) => ({
      id: e.id,
      kind: e.kind,
      rule: e.rule,
      series: seriesLabel(e),
      severity: e.severity,
      startsAt: formatInstant(e.startsAt, timeZone),
      endsAt: e.endsAt === null ? '' : formatInstant(e.endsAt, timeZone),
      lasted: e.endsAt === null ? '' : formatDuration(e.endsAt - e.startsAt),
      value: e.value,
      explanation: e.explanation,
    }));
}

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

export interface BudgetBar {
  rule: string;
  series: string;
  /** The API's figure, unclamped (negative when overspent). */
  remainingPct: number;
  /** Width of the bar's filled part, 0-100. */
  widthPct: number;
  level: 'ok' | 'low' | 'spent';
  text: string;
}

/**
 * The SLO rules' error budget left per series, least left first. The bar is the budget left (full = untouched);
 * under 25% is low, nothing left is spent and says by how much it is overspent.
 */
export function buildBudgetBars(budgets: readonly SeriesBudget[]): BudgetBar[] {
  return [...budgets]
    .sort((a, b) => a.budgetRemainingPct - b.budgetRemainingPct || a.rule.localeCompare(b.rule))
    .map((b) => {
      const pct = b.budgetRemainingPct;
      const level = pct <= 0 ? 'spent' : pct < 25 ? 'low' : 'ok';
      return {
        rule: b.rule,
        series: seriesLabel(b),
        remainingPct: pct,
        widthPct: Math.min(100, Math.max(0, pct)),
        level,
        text:
          pct > 0 ? `${formatPct(pct)} of the error budget left` : `budget spent (${formatPct(-pct)} over)`,
      };
    });
}

function formatPct(value: number): string {
  return `${value >= 10 || value === 0 ? value.toFixed(1) : value.toPrecision(2)}%`;
}
