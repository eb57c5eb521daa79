import { escapeMarkup } from './escape-markup.js';
import { formatInstant, formatTimeTick, linearScale, niceTicks, timeTicks, type Scale } from './scale.js';

export type SeriesVariant = 'primary' | 'secondary' | 'tertiary' | 'compare';

export interface ChartSeries {
  name: string;
  variant: SeriesVariant;
  points: { t: number; v: number | null }[];
}

export interface ChartMarker {
  t: number;
  label: string;
  /** Incidents are drawn in the alert colour so they are not mistaken for routine deploys. */
  kind: 'deploy' | 'incident' | 'other';
}

export interface LineChartSpec {
  /** Unique in the page: used for the <title>/<desc> ids. */
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  from: number;
  to: number;
  series: ChartSeries[];
  markers: ChartMarker[];
  formatValue: (value: number) => string;
  timeZone?: string;
}

const PAD = { top: 12, right: 12, bottom: 24, left: 64 };

/**
 * Renders a time-series line chart as SVG markup. Pure (string in, string out) so axis, gap and marker
 * behaviour is unit-tested without a browser; the view only inserts the markup.
 */
export function buildLineChartSvg(spec: LineChartSpec): string {
  const plot = plotArea(spec);
  const max = Math.max(0, ...spec.series.flatMap((s) => s.points.map((p) => p.v ?? 0)));
  const yTicks = niceTicks(max);
  const x = linearScale([spec.from, spec.to], [plot.left, plot.right]);
  const y = linearScale([0, yTicks[yTicks.length - 1]!], [plot.bottom, plot.top]);
  const id = escapeMarkup(spec.id);
  return [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${spec.width}" height="${spec.height}"`,
    ` viewBox="0 0 ${spec.width} ${spec.height}" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeMarkup(spec.title)}</title>`,
    `<desc id="${id}-desc">${escapeMarkup(spec.description)}</desc>`,
    yAxis(yTicks, y, plot, spec.formatValue),
    xAxis(spec, x, plot),
    ...spec.series.map((s) => seriesPath(s, x, y)),
    ...spec.markers.filter((m) => m.t >= spec.from && m.t <= spec.to).map((m) => marker(m, x, plot, spec)),
    '</svg>',
  ].join('');
}

export interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Where the lines are drawn inside the SVG; the hover read-out maps pointer positions back through it. */
export function plotArea(spec: Pick<LineChartSpec, 'width' | 'height'>): Plot {
  return { left: PAD.left, right: spec.width - PAD.right, top: PAD.top, bottom: spec.height - PAD.bottom };
}

function yAxis(ticks: number[], y: Scale, plot: Plot, format: (v: number) => string): string {
  return ticks
    .map((tick) => {
      const py = px(y(tick));
      return (
        `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${py}" y2="${py}"/>` +
        `<text class="tick" x="${plot.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">` +
        `${escapeMarkup(format(tick))}</text>`
      );
    })
    .join('');
}

function xAxis(spec: LineChartSpec, x: Scale, plot: Plot): string {
  const count = Math.max(2, Math.floor((plot.right - plot.left) / 90));
  return timeTicks(spec.from, spec.to, count)
    .map((t) => {
      const label = formatTimeTick(t, spec.to - spec.from, spec.timeZone);
      return `<text class="tick" x="${px(x(t))}" y="${plot.bottom + 16}" text-anchor="middle">${label}</text>`;
    })
    .join('');
}

/**
 * A null value (no requests in the step) breaks the line instead of being drawn as zero. A lone point between
 * gaps becomes a zero-length segment ("h0"), which round line caps draw as a dot: with only a minute of data
 * the chart must still show it.
 */
export function buildPathData(points: ChartSeries['points'], x: Scale, y: Scale): string {
  let d = '';
  let run = 0;
  for (const p of points) {
    if (p.v === null) {
      if (run === 1) d += 'h0';
      run = 0;
      continue;
    }
    d += `${run > 0 ? 'L' : 'M'}${px(x(p.t))},${px(y(p.v))}`;
    run++;
  }
  return run === 1 ? `${d}h0` : d;
}

function seriesPath(series: ChartSeries, x: Scale, y: Scale): string {
  const d = buildPathData(series.points, x, y);
  if (!d) return '';
  // A 2px round cap is too small to notice, so lone points also get a dot of their own.
  const dots = lonePoints(series.points)
    .map((p) => `<circle class="dot dot-${series.variant}" cx="${px(x(p.t))}" cy="${px(y(p.v))}" r="3.5"/>`)
    .join('');
  return (
    `<path class="series series-${series.variant}" data-series="${escapeMarkup(series.name)}" d="${d}">` +
    `<title>${escapeMarkup(series.name)}</title></path>${dots}`
  );
}

/** Points with data whose neighbours have none: they draw no line. */
export function lonePoints(points: ChartSeries['points']): { t: number; v: number }[] {
  return points.flatMap((p, i) =>
    p.v !== null && (points[i - 1]?.v ?? null) === null && (points[i + 1]?.v ?? null) === null
      ? [{ t: p.t, v: p.v }]
      : [],
  );
}

function marker(m: ChartMarker, x: Scale, plot: Plot, spec: LineChartSpec): string {
  const mx = px(x(m.t));
  const label = escapeMarkup(`${m.label} at ${formatInstant(m.t, spec.timeZone)}`);
  return (
    `<g class="marker marker-${m.kind}"><title>${label}</title>` +
    `<line x1="${mx}" x2="${mx}" y1="${plot.top}" y2="${plot.bottom}"/>` +
    `<path d="M${mx - 5},${plot.top - 8}L${mx + 5},${plot.top - 8}L${mx},${plot.top}Z"/></g>`
  );
}

function px(value: number): number {
  return Math.round(value * 10) / 10;
}
