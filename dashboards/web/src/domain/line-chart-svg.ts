import type { TimeFrame } from './alert-bands-svg.js';
import { clusterMarkers, type ChartMarker, type MarkerCluster } from './chart-markers.js';
import { escapeMarkup } from './escape-markup.js';
import { formatTimeTick, linearScale, niceTicks, timeTicks, type Scale } from './scale.js';

/** Each series has its own colour (CSS `series-<variant>`): no two lines of a page share one by accident. */
export type SeriesVariant =
  'errors' | 'errors4xx' | 'p50' | 'p95' | 'p99' | 'p999' | 'max' | 'throughput' | 'compare' | 'worst';

export interface ChartPoint {
  t: number;
  v: number | null;
}

export interface ChartSeries {
  name: string;
  variant: SeriesVariant;
  /** Complete buckets only. */
  points: ChartPoint[];
  /** Buckets still filling (the newest): drawn dashed and labelled, never as part of the line. */
  partial?: ChartPoint[];
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

const PAD = { top: 14, right: 16, bottom: 24, left: 64 };

/**
 * Renders a time-series line chart as SVG markup. Pure (string in, string out) so axis, gap and marker
 * behaviour is unit-tested without a browser; the view only inserts the markup.
 */
export function buildLineChartSvg(spec: LineChartSpec): string {
  const { plot, x, y, yTicks } = chartScales(spec);
  const id = escapeMarkup(spec.id);
  const inRange = spec.markers.filter((m) => m.t >= spec.from && m.t <= spec.to);
  return [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${spec.width}" height="${spec.height}"`,
    ` viewBox="0 0 ${spec.width} ${spec.height}" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeMarkup(spec.title)}</title>`,
    `<desc id="${id}-desc">${escapeMarkup(spec.description)}</desc>`,
    yAxis(yTicks, y, plot, spec.formatValue),
    xAxis(spec, x, plot),
    ...spec.series.map((s) => seriesPath(s, x, y)),
    partialLabel(spec.series, x, plot),
    ...clusterMarkers(inRange, x).map((c) => marker(c, plot)),
    '</svg>',
  ].join('');
}

/** The plot area and the scales a spec's lines are drawn with: overlays (exemplar points) use the same ones. */
export function chartScales(spec: LineChartSpec): { plot: Plot; x: Scale; y: Scale; yTicks: number[] } {
  const plot = plotArea(spec);
  const values = spec.series.flatMap((s) => [...s.points, ...(s.partial ?? [])].map((p) => p.v ?? 0));
  const yTicks = niceTicks(Math.max(0, ...values));
  const x = linearScale([spec.from, spec.to], [plot.left, plot.right]);
  const y = linearScale([0, yTicks[yTicks.length - 1]!], [plot.bottom, plot.top]);
  return { plot, x, y, yTicks };
}

export interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The chart's time range and plot area (the alert bands drawn behind its lines use the same). */
export function lineChartFrame(spec: LineChartSpec): TimeFrame {
  return { from: spec.from, to: spec.to, width: spec.width, plot: plotArea(spec) };
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

/** A label centred on a tick near the plot's edge would be cut by the SVG border: anchor it inwards there. */
export function tickAnchor(x: number, plot: Plot, halfWidth = 24): 'start' | 'middle' | 'end' {
  if (x + halfWidth > plot.right + PAD.right) return 'end';
  if (x - halfWidth < 0) return 'start';
  return 'middle';
}

function xAxis(spec: LineChartSpec, x: Scale, plot: Plot): string {
  const count = Math.max(2, Math.floor((plot.right - plot.left) / 90));
  return timeTicks(spec.from, spec.to, count)
    .map((t) => {
      const label = formatTimeTick(t, spec.to - spec.from, spec.timeZone);
      const tx = px(x(t));
      const anchor = tickAnchor(tx, plot);
      return `<text class="tick" x="${tx}" y="${plot.bottom + 16}" text-anchor="${anchor}">${label}</text>`;
    })
    .join('');
}

/**
 * A null value (no requests in the step) breaks the line instead of being drawn as zero. A lone point between
 * gaps becomes a zero-length segment ("h0"), which round line caps draw as a dot: with only a minute of data
 * the chart must still show it.
 */
export function buildPathData(points: ChartPoint[], x: Scale, y: Scale): string {
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
  const name = escapeMarkup(series.name);
  // A 2px round cap is too small to notice, so lone points also get a dot of their own.
  const dots = lonePoints(series.points)
    .map((p) => `<circle class="dot dot-${series.variant}" cx="${px(x(p.t))}" cy="${px(y(p.v))}" r="3.5"/>`)
    .join('');
  const line = d
    ? `<path class="series series-${series.variant}" data-series="${name}" d="${d}"/>${dots}`
    : '';
  return line + partialPath(series, x, y);
}

/** The still-filling bucket, joined to the last complete point by a dashed segment so it reads as "not yet". */
function partialPath(series: ChartSeries, x: Scale, y: Scale): string {
  const partial = (series.partial ?? []).filter((p) => p.v !== null);
  if (partial.length === 0) return '';
  const last = [...series.points].reverse().find((p) => p.v !== null);
  const d = buildPathData(last ? [last, ...partial] : partial, x, y);
  const name = escapeMarkup(`${series.name} (partial)`);
  return `<path class="series series-${series.variant} series-partial" data-series="${name}" d="${d}"/>`;
}

function partialLabel(series: ChartSeries[], x: Scale, plot: Plot): string {
  const t = series.flatMap((s) => (s.partial ?? []).filter((p) => p.v !== null).map((p) => p.t))[0];
  if (t === undefined) return '';
  const tx = px(x(t));
  const anchor = tickAnchor(tx, plot, 20);
  return `<text class="partial-label" x="${tx}" y="${plot.top - 3}" text-anchor="${anchor}">partial</text>`;
}

/** Points with data whose neighbours have none: they draw no line. */
export function lonePoints(points: ChartPoint[]): { t: number; v: number }[] {
  return points.flatMap((p, i) =>
    p.v !== null && (points[i - 1]?.v ?? null) === null && (points[i + 1]?.v ?? null) === null
      ? [{ t: p.t, v: p.v }]
      : [],
  );
}

/** One line per cluster; a count when it groups several. Focusable, so the tooltip also opens from the keyboard. */
function marker(c: MarkerCluster, plot: Plot): string {
  const mx = px(c.x);
  const count = c.indexes.length;
  const label = count > 1 ? `${count} events` : `1 ${c.kind === 'other' ? 'event' : c.kind}`;
  return (
    `<g class="marker marker-${c.kind}" tabindex="0" role="button" aria-label="${label}, details"` +
    ` data-count="${count}" data-events="${c.indexes.join(',')}">` +
    `<line x1="${mx}" x2="${mx}" y1="${plot.top}" y2="${plot.bottom}"/>` +
    `<path d="M${mx - 5},${plot.top - 9}L${mx + 5},${plot.top - 9}L${mx},${plot.top}Z"/>` +
    (count > 1 ? `<text class="marker-count" x="${mx + 7}" y="${plot.top - 2}">${count}</text>` : '') +
    `<rect class="marker-hit" x="${mx - 6}" y="${plot.top - 10}" width="12" height="${plot.bottom - plot.top + 10}"/></g>`
  );
}

function px(value: number): number {
  return Math.round(value * 10) / 10;
}
