import type { AlertSpan } from './alert-spans.js';
import { formatDuration } from './alerts-page.js';
import { escapeMarkup } from './escape-markup.js';
import { chartScales, type LineChartSpec } from './line-chart-svg.js';
import { formatInstant } from './scale.js';

export interface AlertBand {
  span: AlertSpan;
  label: string;
}

/** Labels of overlapping bands are staggered over this many rows so one does not hide the other. */
const LABEL_ROWS = 3;
/** Width of a label character at the chart's 11px bold, a little generous (no layout in a pure function). */
const LABEL_CHAR_PX = 7;

/**
 * Alert spans as shaded bands behind a chart's lines (the markup goes right after the chart's <desc>, before its
 * grid and lines), on the chart's own x scale. A band is filled and edged with solid lines, labelled at the bottom of
 * the plot: the partial bucket is a dashed segment labelled at the top, markers are lines with a triangle. A span
 * firing still runs to the chart's end without an end edge. Pure: unit-tested against the chart's scale.
 */
export function buildAlertBandsSvg(
  spec: LineChartSpec,
  bands: readonly AlertBand[],
  now: number,
  timeZone?: string,
): string {
  const { plot, x } = chartScales(spec);
  const shown = bands.filter(({ span }) => span.from < spec.to && (span.to ?? now) > spec.from);
  if (shown.length === 0) return '';
  const parts = shown.map(({ span, label }, i) => {
    const end = span.to ?? Math.min(now, spec.to);
    const x1 = px(x(Math.max(span.from, spec.from)));
    const x2 = px(x(Math.min(end, spec.to)));
    const ongoing = span.to === null;
    const lasted = formatDuration(end - span.from);
    const title = ongoing
      ? `${label}: firing since ${formatInstant(span.from, timeZone)} (${lasted})`
      : `${label}: fired ${formatInstant(span.from, timeZone)} – ${formatInstant(span.to!, timeZone)} (${lasted})`;
    const edges = [
      span.from >= spec.from ? edge('alert-band-start', x1, plot) : '',
      !ongoing && span.to! <= spec.to ? edge('alert-band-end', x2, plot) : '',
    ].join('');
    const ty = plot.bottom - 4 - (i % LABEL_ROWS) * 13;
    // A label that would run past the SVG's right edge (a span firing now) ends at the edge instead.
    const overflows = x1 + 3 + label.length * LABEL_CHAR_PX > spec.width - 2;
    const text = overflows
      ? `<text x="${spec.width - 2}" y="${ty}" text-anchor="end">`
      : `<text x="${px(x1 + 3)}" y="${ty}">`;
    return (
      `<g class="alert-band${ongoing ? ' alert-band-ongoing' : ''}" data-rule="${escapeMarkup(span.rule)}"` +
      ` data-starts-at="${span.from}" data-ends-at="${span.to ?? ''}">` +
      `<title>${escapeMarkup(title)}</title>` +
      `<rect x="${x1}" y="${plot.top}" width="${px(Math.max(1, x2 - x1))}" height="${plot.bottom - plot.top}"/>` +
      edges +
      `${text}${escapeMarkup(label)}</text></g>`
    );
  });
  return `<g class="alert-bands">${parts.join('')}</g>`;
}

function edge(className: string, x: number, plot: { top: number; bottom: number }): string {
  return `<line class="${className}" x1="${x}" x2="${x}" y1="${plot.top}" y2="${plot.bottom}"/>`;
}

function px(value: number): number {
  return Math.round(value * 10) / 10;
}
