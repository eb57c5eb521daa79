import { seriesLabel, type AlertSeriesKey, type AlertsResponse } from './alert-summary.js';

/** When one alert fired on one series: resolved (`to` set) or firing still (`to` null). */
export interface AlertSpan extends AlertSeriesKey {
  rule: string;
  severity: string | null;
  from: number;
  to: number | null;
}

const keyOf = (rule: string, k: AlertSeriesKey, startsAt: number) =>
  JSON.stringify([rule, k.service, k.method, k.path, startsAt]);

/**
 * Each alert's firing span from GET /api/v1/alerts: a resolve gives its start and end; a series firing now runs
 * to the present (also when its firing event lies before the history window). A firing event that neither
 * resolved nor fires now (its rule was deleted, or the resolve lies past the window) is not drawn: where it ended
 * is unknown.
 */
export function buildAlertSpans(alerts: AlertsResponse): AlertSpan[] {
  const spans = new Map<string, AlertSpan>();
  for (const e of alerts.history) {
    if (e.kind !== 'resolved' || e.endsAt === null) continue;
    const { rule, service, method, path, severity } = e;
    spans.set(keyOf(rule, e, e.startsAt), {
      rule,
      service,
      method,
      path,
      severity,
      from: e.startsAt,
      to: e.endsAt,
    });
  }
  for (const a of alerts.firing) {
    const key = keyOf(a.rule, a, a.since);
    if (spans.has(key)) continue;
    const { rule, service, method, path, severity } = a;
    spans.set(key, { rule, service, method, path, severity, from: a.since, to: null });
  }
  return [...spans.values()].sort((a, b) => a.from - b.from || a.rule.localeCompare(b.rule));
}

/**
 * The spans drawn on a page's charts: those of the series the page shows, and on a service's page also those of
 * its endpoints (their traffic is part of the service's lines). All services shows tenant-wide series only, so a
 * dozen endpoints' alerts do not cover the overview.
 */
export function spansForScope(
  spans: readonly AlertSpan[],
  scope: { service: string | null; endpoint: { method: string; path: string } | null },
): AlertSpan[] {
  return spans.filter((s) => {
    if (s.service !== scope.service) return false;
    if (scope.service === null) return true;
    if (scope.endpoint === null) return true;
    return s.method === null || (s.method === scope.endpoint.method && s.path === scope.endpoint.path);
  });
}

/** A span's label on a chart: the rule, and the endpoint when the chart shows more than it. */
export function spanLabel(span: AlertSpan, scope: { endpoint: unknown }): string {
  return span.method !== null && scope.endpoint === null ? `${span.rule} · ${seriesLabel(span)}` : span.rule;
}
