import { parseDurationMs, type SloSpec } from '../../../crds/gravix-alert-rule-spec.js';
import { formatPct, type Observation } from './observation.js';
import { seriesId, slowRequests, type SeriesKey, type SeriesWindow } from './series-window.js';

/**
 * Multiwindow, multi-burn-rate alerting (Google SRE workbook, ch. 5): a fast burn pages when both the 1 h and the
 * 5 min windows burn the budget 14.4x faster than allowed (2% of a 30-day budget in an hour); a slow burn opens a
 * ticket at 6x over 6 h and 30 min (5% in 6 hours). The short window makes the alert resolve soon after the
 * burn stops. Burn factors scale with the period: they are defined for 30 days.
 */
export const burnWindows = [
  { severity: 'page', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'ticket', long: '6h', short: '30m', factor: 6 },
] as const;
export type SloWindowName = '5m' | '30m' | '1h' | '6h' | 'period';
export const sloWindowNames: readonly SloWindowName[] = ['5m', '30m', '1h', '6h', 'period'];

export function sloWindowMs(spec: SloSpec, name: SloWindowName): number {
  return parseDurationMs(name === 'period' ? spec.period : name);
}

interface Counts {
  requests: number;
  bad: number;
}

function badCounts(spec: SloSpec, w: SeriesWindow | undefined): Counts {
  if (!w) return { requests: 0, bad: 0 };
  const bad = spec.sli === 'availability' ? w.errors5xx : slowRequests(w, spec.latencyThresholdMs ?? 0);
  return { requests: w.requests, bad };
}

export function burnRate(spec: SloSpec, c: Counts): number {
  const allowed = 1 - spec.objective / 100;
  return c.requests === 0 ? 0 : c.bad / c.requests / allowed;
}

/**
 * The burn rate a window is judged by: its bad requests against the larger of its own requests and its share of
 * the period's (the period's average traffic for that long). At a busy hour this is the plain burn rate; in a
 * quiet one, one error among four requests is a 250x "burn" of a rate but 0.02% of the month's budget, which is
 * what the SLO promises (the bench's only false alert was exactly that, bench/README.md). A young installation
 * whose period holds little traffic is judged by the plain rate.
 */
export function judgedBurnRate(spec: SloSpec, window: Counts, period: Counts, name: SloWindowName): number {
  const share = (period.requests * sloWindowMs(spec, name)) / sloWindowMs(spec, 'period');
  return burnRate(spec, { bad: window.bad, requests: Math.max(window.requests, share) });
}

/** Budget left over the period in percent: 100 untouched, 0 spent, negative overspent. */
export function budgetRemainingPct(spec: SloSpec, c: Counts): number {
  return 100 * (1 - burnRate(spec, c));
}

/** One observation per series present in any window; windows map a window name to its series rows. */
export function evaluateSlo(
  spec: SloSpec,
  windows: ReadonlyMap<SloWindowName, ReadonlyMap<string, SeriesWindow>>,
  keys: ReadonlyMap<string, SeriesKey>,
): Observation[] {
  const sli = spec.sli === 'availability' ? 'availability' : `requests under ${spec.latencyThresholdMs} ms`;
  return [...keys].map(([id, key]) => {
    const counts = (name: SloWindowName) => badCounts(spec, windows.get(name)?.get(id));
    const rate = (name: SloWindowName) => judgedBurnRate(spec, counts(name), counts('period'), name);
    const budget = budgetRemainingPct(spec, counts('period'));
    const hit = burnWindows.find((b) => rate(b.long) >= b.factor && rate(b.short) >= b.factor);
    const shown = burnWindows.map((b) => `${rate(b.long).toFixed(1)}x over ${b.long}`).join(', ');
    return {
      seriesId: seriesId(key),
      key,
      breaching: hit !== undefined,
      severity: hit?.severity ?? 'ticket',
      value: hit ? `${rate(hit.long).toFixed(1)}x burn` : `${rate('1h').toFixed(1)}x burn`,
      expected: hit ? `< ${hit.factor}x over ${hit.long} and ${hit.short}` : '< 14.4x (1h/5m), < 6x (6h/30m)',
      budgetRemainingPct: budget,
      insufficient: counts('period').requests === 0,
      explanation:
        `${spec.objective}% ${sli} SLO: burning ${shown}; ` +
        `${formatPct(Math.max(budget, -999))} of the ${spec.period} error budget left`,
    };
  });
}
