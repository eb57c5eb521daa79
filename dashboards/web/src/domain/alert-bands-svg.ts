import type { AlertSpan } from './alert-spans.js';
import { formatDuration } from './alerts-page.js';
import { escapeMarkup } from './escape-markup.js';
import type { Plot } from './line-chart-svg.js';
import { formatInstant, linearScale } from './scale.js';

export interface AlertBand {
  span: AlertSpan;
  label: string;
}

/** Labels of overlapping bands are staggered over this many rows so one does not hide the other. */
const LABEL_ROWS = 3;
/** Width of a label character at the chart's 11px bold, a little generous (no layout in a pure function). */
const LABEL_CHAR_PX = 7;

/**
 * Where a chart draws time: its range, its plot area and the SVG's width. Every time chart has one (line charts
 * from chartScales, the status bars and the latency heatmap from their own plot areas), so a band lies on the same
 * x scale as the chart's own bars, cells or lines.
 */
export interface TimeFrame {
  from: number;
  to: number;
  width: number;
  plot: Plot;
}

/**
 * Alert spans as shaded bands on a time chart, on the chart's own x scale: behind a line chart's grid and lines
 * or the status chart's bars (the markup goes right after the chart's <desc>), over the heatmap's cells. A band
 * is filled and edged with solid lines, labelled at the bottom of the plot: the partial bucket is a dashed segment
 * labelled at the top, markers are lines with a triangle. A span firing still runs to the chart's end without an
 * end edge. Pure: unit-tested against the chart's scale.
 */
export function buildAlertBandsSvg(
  spec: TimeFrame,
  bands: readonly AlertBand[],
  now: number,
  timeZone?: string,
): string {
  const { plot } = spec;
  const x = linearScale([spec.from, spec.to], [plot.left, plot.right]);
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
