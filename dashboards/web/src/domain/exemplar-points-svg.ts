import type { ExemplarItem } from '../../../../workers/query/api-types.js';
import { escapeMarkup } from './escape-markup.js';
import { formatLatency } from './format.js';
import { chartScales, type LineChartSpec } from './line-chart-svg.js';

/** Which exemplars a chart shows: the slowest requests on latency, the recent 5xx on the error rate. */
export type ExemplarChart = 'latency' | 'error-rate';

/** A request's instant to the second (exemplars are single requests; minutes would hide their order). */
export function formatRequestTime(t: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(t);
}

export function describeExemplar(e: ExemplarItem, timeZone?: string): string {
  return `${e.method} ${e.path} ${e.statusCode} in ${formatLatency(e.latencyMs)} at ${formatRequestTime(e.t, timeZone)}, trace ${e.traceId}`;
}

/**
 * Where a point sits: at its latency on the latency chart (clamped to the plot, whose top is at least the
 * steps' max), and on the error-rate line at the step it falls in (the bottom when that step has no rate).
 */
function pointValue(spec: LineChartSpec, chart: ExemplarChart, e: ExemplarItem): number {
  if (chart === 'latency') return e.latencyMs;
  const line = spec.series.find((s) => s.variant === 'errors');
  const points = [...(line?.points ?? []), ...(line?.partial ?? [])];
  return points.filter((p) => p.t <= e.t).at(-1)?.v ?? 0;
}

/**
 * Exemplar points drawn over a chart built by buildLineChartSvg, with its scales: each a link to the request's
 * trace when the server configured a trace URL (GRAVIX_TRACE_URL_TEMPLATE; it only ever sends http(s) URLs), a
 * focusable point with the same description otherwise. Pure markup; every value from the API is escaped.
 */
export function buildExemplarPointsSvg(
  spec: LineChartSpec,
  chart: ExemplarChart,
  exemplars: readonly ExemplarItem[],
  timeZone?: string,
): string {
  const { plot, x, y } = chartScales(spec);
  const inRange = exemplars.filter((e) => e.t >= spec.from && e.t < spec.to);
  if (inRange.length === 0) return '';
  const points = inRange.map((e) => {
    const cx = Math.round(x(e.t) * 10) / 10;
    const cy = Math.round(Math.min(plot.bottom, Math.max(plot.top, y(pointValue(spec, chart, e)))) * 10) / 10;
    const label = escapeMarkup(describeExemplar(e, timeZone));
    const dot = `<circle class="exemplar-dot" cx="${cx}" cy="${cy}" r="4.5"/><title>${label}</title>`;
    const data = `data-trace-id="${escapeMarkup(e.traceId)}"`;
    return e.traceUrl
      ? `<a class="exemplar" ${data} href="${escapeMarkup(e.traceUrl)}" target="_blank" rel="noopener noreferrer" aria-label="${label}">${dot}</a>`
      : `<g class="exemplar" ${data} tabindex="0" role="img" aria-label="${label}">${dot}</g>`;
  });
  return `<g class="exemplars exemplars-${chart}">${points.join('')}</g>`;
}
