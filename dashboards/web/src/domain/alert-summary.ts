import type { AlertsResponse } from '../../../../workers/alert/http/alerts-view.js';
import { DEFAULT_STATE, buildDashboardSearch } from './dashboard-state.js';
import { formatAge } from './freshness-text.js';
import { formatInstant } from './scale.js';
import { RANGE_PRESETS, presetDurationMs, type RangePreset } from './time-range.js';

export type { AlertsResponse };
export type FiringAlert = AlertsResponse['firing'][number];
export type AlertHistoryEvent = AlertsResponse['history'][number];
export type RuleEvaluation = AlertsResponse['rules'][number];
export type SeriesBudget = AlertsResponse['budgets'][number];

/** The series an alert is about: a service, one of its endpoints, or (rules with `each: none`) everything. */
export interface AlertSeriesKey {
  service: string | null;
  method: string | null;
  path: string | null;
}

export function seriesLabel(k: AlertSeriesKey): string {
  if (k.service === null) return 'all services';
  return k.method !== null && k.path !== null ? `${k.service} ${k.method} ${k.path}` : k.service;
}

/** One line of the banner: what fires, where, how bad against what, since when, and where its charts are. */
export interface BannerItem {
  alert: FiringAlert;
  series: string;
  text: string;
  /** The dashboard's search for the series' charts over a range that holds the alert's start. */
  search: string;
}

/**
 * The banner's lines, page severity first, then the longest-running: "checkout-errors · payments POST /charge:
 * 41.0% vs > 5.00% · firing since 20 Nov 2026, 14:05 (12 min ago)".
 */
export function buildBannerItems(
  firing: readonly FiringAlert[],
  now: number,
  timeZone?: string,
): BannerItem[] {
  const rank = (s: string | null) => (s === 'page' ? 0 : s === 'ticket' ? 1 : 2);
  return [...firing]
    .sort((a, b) => rank(a.severity) - rank(b.severity) || a.since - b.since || a.rule.localeCompare(b.rule))
    .map((a) => {
      const series = seriesLabel(a);
      const since = `firing since ${formatInstant(a.since, timeZone)} (${formatAge(now - a.since)})`;
      return {
        alert: a,
        series,
        text: `${a.rule} · ${series}: ${a.value} vs ${a.expected} · ${since}`,
        search: alertViewSearch(a, a.since, now),
      };
    });
}

/** The banner's heading: how many series fire, so a long list is never mistaken for one alert. */
export function bannerHeading(count: number): string {
  return count === 1 ? '1 alert firing' : `${count} alerts firing`;
}

/**
 * The dashboard page of an alert's series: the service or endpoint view over the shortest preset that shows the
 * alert's start with some minutes before it (a preset, not a custom range, so the page keeps refreshing).
 */
export function alertViewSearch(k: AlertSeriesKey, startsAt: number, now: number): string {
  const wanted = now - startsAt + 10 * 60_000;
  const preset: RangePreset =
    RANGE_PRESETS.find((p) => presetDurationMs(p) >= wanted) ?? RANGE_PRESETS[RANGE_PRESETS.length - 1]!;
  const endpoint = k.service !== null && k.method !== null && k.path !== null;
  return buildDashboardSearch({
    ...DEFAULT_STATE,
    service: k.service,
    endpoint: endpoint ? { method: k.method!, path: k.path! } : null,
    range: { kind: 'preset', preset },
  });
}
