import type { TimeFrame } from './alert-bands-svg.js';
import type { LatencyHeatmapResponse } from '../../../../workers/query/api-types.js';
import { escapeMarkup } from './escape-markup.js';
import { tickAnchor } from './line-chart-svg.js';
import { formatCount, formatLatency, formatPercent, formatStep } from './format.js';
import { formatInstant, formatTimeTick, linearScale, timeTicks } from './scale.js';

type Band = LatencyHeatmapResponse['bands'][number];

/** "≤ 0.1 ms" for the first band, "> 100 s" for the open one, "200 ms – 500 ms" between. */
export function bandLabel(band: Band): string {
  if (band.highMs === null) return `> ${formatLatency(band.lowMs)}`;
  if (band.lowMs === 0) return `≤ ${formatLatency(band.highMs)}`;
  return `${formatLatency(band.lowMs)} – ${formatLatency(band.highMs)}`;
}

/**
 * A cell's opacity of the one heatmap colour (CSS `--c-heat`, so both themes work): log-scaled, because request
 * counts span orders of magnitude and a linear scale would leave every band but the busiest invisible. An empty
 * cell is not drawn; one request is still visible (0.15).
 */
export function heatIntensity(count: number, maxCount: number): number {
  if (count <= 0 || maxCount <= 0) return 0;
  return Math.round((0.15 + (0.85 * Math.log1p(count)) / Math.log1p(maxCount)) * 1000) / 1000;
}

/** The colour legend's swatches: 1, a few log-spaced counts and the maximum, each with its opacity. */
export function heatLegend(maxCount: number): { count: number; intensity: number }[] {
  if (maxCount <= 0) return [];
  const counts = new Set<number>([1]);
  for (const f of [0.25, 0.5, 0.75])
    counts.add(Math.max(1, Math.round(Math.expm1(f * Math.log1p(maxCount)))));
  counts.add(maxCount);
  return [...counts]
    .sort((a, b) => a - b)
    .map((count) => ({ count, intensity: heatIntensity(count, maxCount) }));
}

export interface HeatmapCellText {
  t: number;
  band: Band;
  count: number;
  total: number;
  stepMs: number;
  partial: boolean;
}

/** "20 Nov 2026, 14:05 (5-minute bucket) · 200 ms – 500 ms: 1,234 of 9,870 requests (13%)". */
export function heatCellLabel(cell: HeatmapCellText, timeZone?: string): string {
  const share = cell.total > 0 ? ` (${formatPercent(cell.count / cell.total)})` : '';
  const partial = cell.partial ? ' (partial, still filling)' : '';
  return (
    `${formatInstant(cell.t, timeZone)} (${formatStep(cell.stepMs)} bucket) · ${bandLabel(cell.band)}: ` +
    `${formatCount(cell.count)} of ${formatCount(cell.total)} requests${share}${partial}`
  );
}

export interface HeatmapSpec {
  id: string;
  title: string;
  width: number;
  height: number;
  timeZone?: string;
  /** Start of the newest rolled-up minute: its bucket is partial, later ones have no data yet. */
  newestMinute: number | null;
}

const PAD = { top: 14, right: 16, bottom: 24, left: 96 };

/** The heatmap's time range and plot area (the alert bands drawn over its cells use the same). */
export function heatmapFrame(
  heatmap: Pick<LatencyHeatmapResponse, 'from' | 'to'>,
  spec: Pick<HeatmapSpec, 'width' | 'height'>,
): TimeFrame {
  const plot = {
    left: PAD.left,
    right: spec.width - PAD.right,
    top: PAD.top,
    bottom: spec.height - PAD.bottom,
  };
  return { from: heatmap.from, to: heatmap.to, width: spec.width, plot };
}

/**
 * The latency heatmap as SVG markup (pure, like line-chart-svg.ts): one row per latency band (fastest at the
 * bottom), one column per bucket, each cell's opacity from its request count. Each cell carries its numbers in
 * `data-*` attributes and a <title>, so the hover read-out and a test read exactly what the API answered.
 */
export function buildHeatmapSvg(heatmap: LatencyHeatmapResponse, spec: HeatmapSpec): string {
  const { plot } = heatmapFrame(heatmap, spec);
  const x = linearScale([heatmap.from, heatmap.to], [plot.left, plot.right]);
  const rows = Math.max(1, heatmap.bands.length);
  const rowHeight = (plot.bottom - plot.top) / rows;
  const colWidth = Math.max(1, ((plot.right - plot.left) * heatmap.stepMs) / (heatmap.to - heatmap.from));
  const rowTop = (band: number) => plot.bottom - (band + 1) * rowHeight;
  const id = escapeMarkup(spec.id);
  // A label per band when they fit; otherwise every second one, so they never overlap.
  const every = rowHeight >= 13 ? 1 : Math.ceil(13 / rowHeight);
  const yLabels = heatmap.bands.flatMap((band, i) =>
    i % every === 0
      ? [
          `<text class="tick" x="${plot.left - 6}" y="${round(rowTop(i) + rowHeight / 2)}" text-anchor="end"` +
            ` dominant-baseline="middle">${escapeMarkup(bandLabel(band))}</text>`,
        ]
      : [],
  );
  const count = Math.max(2, Math.floor((plot.right - plot.left) / 90));
  const xLabels = timeTicks(heatmap.from, heatmap.to, count).map((t) => {
    const label = formatTimeTick(t, heatmap.to - heatmap.from, spec.timeZone);
    // Anchored inwards near the edges, as the line charts' labels are: a centred label there is cut by the border.
    const tx = round(x(t));
    return `<text class="tick" x="${tx}" y="${plot.bottom + 16}" text-anchor="${tickAnchor(tx, plot)}">${label}</text>`;
  });
  const cells = heatmap.points.flatMap((p) => {
    if (spec.newestMinute !== null && p.t > spec.newestMinute) return [];
    const partial = spec.newestMinute !== null && p.t + heatmap.stepMs > spec.newestMinute;
    return p.counts.flatMap((n, band) => {
      if (n === 0) return [];
      const label = heatCellLabel(
        { t: p.t, band: heatmap.bands[band]!, count: n, total: p.total, stepMs: heatmap.stepMs, partial },
        spec.timeZone,
      );
      return [
        `<rect class="heat-cell${partial ? ' partial' : ''}" x="${round(x(p.t))}" y="${round(rowTop(band))}"` +
          ` width="${round(colWidth)}" height="${round(rowHeight)}" fill-opacity="${heatIntensity(n, heatmap.maxCount)}"` +
          ` data-t="${p.t}" data-band="${band}" data-count="${n}" data-total="${p.total}"><title>${escapeMarkup(label)}</title></rect>`,
      ];
    });
  });
  return [
    `<svg class="chart heatmap-chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${spec.width}" height="${spec.height}"`,
    ` viewBox="0 0 ${spec.width} ${spec.height}" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeMarkup(spec.title)}</title>`,
    `<desc id="${id}-desc">${escapeMarkup(describeHeatmap(heatmap))}</desc>`,
    `<rect class="heat-plot" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}"/>`,
    ...cells,
    ...yLabels,
    ...xLabels,
    '</svg>',
  ].join('');
}

/** The distribution over the whole range for screen readers: requests per band. */
export function describeHeatmap(heatmap: LatencyHeatmapResponse): string {
  const totals = heatmap.bands.map((_, band) =>
    heatmap.points.reduce((n, p) => n + (p.counts[band] ?? 0), 0),
  );
  const all = totals.reduce((a, b) => a + b, 0);
  if (all === 0) return 'No requests in this time range.';
  const parts = heatmap.bands.flatMap((band, i) =>
    totals[i]! > 0
      ? [`${bandLabel(band)}: ${formatCount(totals[i]!)} (${formatPercent(totals[i]! / all)})`]
      : [],
  );
  return `Requests by latency over the range: ${parts.join('; ')}.`;
}

const round = (value: number) => Math.round(value * 10) / 10;
