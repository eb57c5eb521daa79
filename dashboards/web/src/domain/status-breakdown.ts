import type { TimeFrame } from './alert-bands-svg.js';
import type { TimeseriesPoint, TimeseriesResponse } from '../../../../workers/query/api-types.js';
import { escapeMarkup } from './escape-markup.js';
import { formatCount, formatPercent, formatStep } from './format.js';
import { formatInstant, formatTimeTick, linearScale, niceTicks, timeTicks } from './scale.js';

/** Status classes in stacking order (bottom up); `unknown` is data rolled up before the split was stored. */
export const statusClasses = ['2xx', '3xx', '1xx', 'unknown', '4xx', '5xx'] as const;
export type StatusClass = (typeof statusClasses)[number];

const countOf: Record<StatusClass, (p: TimeseriesPoint) => number> = {
  '1xx': (p) => p.status1xx,
  '2xx': (p) => p.status2xx,
  '3xx': (p) => p.status3xx,
  '4xx': (p) => p.errors4xx,
  '5xx': (p) => p.errors5xx,
  unknown: (p) => p.statusUnknown,
};

export interface StatusBucket {
  t: number;
  requests: number;
  counts: Record<StatusClass, number>;
  /** The bucket holding the newest rolled-up minute is still filling. */
  partial: boolean;
}

export interface StatusBreakdown {
  from: number;
  to: number;
  stepMs: number;
  buckets: StatusBucket[];
  /** Totals over complete and partial buckets, per class. */
  totals: Record<StatusClass, number>;
  /** Classes with at least one request in the range: the legend lists only these. */
  present: StatusClass[];
}

const zeroCounts = (): Record<StatusClass, number> =>
  Object.fromEntries(statusClasses.map((c) => [c, 0])) as Record<StatusClass, number>;

/**
 * Requests per status class and bucket. Buckets after the newest rolled-up minute have no data yet and are left
 * out (not drawn as zero); the one holding it is marked partial.
 */
export function buildStatusBreakdown(ts: TimeseriesResponse, newestMinute: number | null): StatusBreakdown {
  const totals = zeroCounts();
  const buckets: StatusBucket[] = [];
  for (const p of ts.points) {
    if (newestMinute !== null && p.t > newestMinute) continue;
    const counts = zeroCounts();
    for (const c of statusClasses) {
      counts[c] = countOf[c](p);
      totals[c] += counts[c];
    }
    const partial = newestMinute !== null && p.t + ts.stepMs > newestMinute;
    buckets.push({ t: p.t, requests: p.requests, counts, partial });
  }
  const present = statusClasses.filter((c) => totals[c] > 0);
  return { from: ts.from, to: ts.to, stepMs: ts.stepMs, buckets, totals, present };
}

/** "2xx 96.1% · 3xx 1.2% · 4xx 2.0% · 5xx 0.7%" over the range; unknown named when present. */
export function describeStatusTotals(breakdown: StatusBreakdown): string {
  const all = statusClasses.reduce((n, c) => n + breakdown.totals[c], 0);
  if (all === 0) return 'No requests in this time range.';
  return breakdown.present
    .map((c) => `${c} ${formatPercent(breakdown.totals[c] / all)} (${formatCount(breakdown.totals[c])})`)
    .join(' · ');
}

export interface StatusBarsSpec {
  id: string;
  title: string;
  width: number;
  height: number;
  timeZone?: string;
}

const PAD = { top: 14, right: 16, bottom: 24, left: 64 };

/** The bars' time range and plot area (the alert bands drawn over them use the same). */
export function statusBarsFrame(
  breakdown: Pick<StatusBreakdown, 'from' | 'to'>,
  spec: Pick<StatusBarsSpec, 'width' | 'height'>,
): TimeFrame {
  const plot = {
    left: PAD.left,
    right: spec.width - PAD.right,
    top: PAD.top,
    bottom: spec.height - PAD.bottom,
  };
  return { from: breakdown.from, to: breakdown.to, width: spec.width, plot };
}

/**
 * Stacked bars of requests per status class and bucket, as SVG markup (pure, like line-chart-svg.ts). Each bar
 * carries its numbers in `data-*` attributes and a <title>, so hover and screen readers read exact counts.
 */
export function buildStatusBarsSvg(breakdown: StatusBreakdown, spec: StatusBarsSpec): string {
  const { plot } = statusBarsFrame(breakdown, spec);
  const ticks = niceTicks(Math.max(0, ...breakdown.buckets.map((b) => b.requests)));
  const x = linearScale([breakdown.from, breakdown.to], [plot.left, plot.right]);
  const y = linearScale([0, ticks[ticks.length - 1]!], [plot.bottom, plot.top]);
  const barWidth = Math.max(
    1,
    ((plot.right - plot.left) * breakdown.stepMs) / (breakdown.to - breakdown.from) - 1,
  );
  const id = escapeMarkup(spec.id);
  const yAxis = ticks.map((tick) => {
    const py = round(y(tick));
    return (
      `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${py}" y2="${py}"/>` +
      `<text class="tick" x="${plot.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${formatCount(tick)}</text>`
    );
  });
  const count = Math.max(2, Math.floor((plot.right - plot.left) / 90));
  const xAxis = timeTicks(breakdown.from, breakdown.to, count).map((t) => {
    const label = formatTimeTick(t, breakdown.to - breakdown.from, spec.timeZone);
    return `<text class="tick" x="${round(x(t))}" y="${plot.bottom + 16}" text-anchor="middle">${label}</text>`;
  });
  const bars = breakdown.buckets.map((b) => {
    let base = 0;
    const rects = statusClasses.flatMap((c) => {
      const n = b.counts[c];
      if (n === 0) return [];
      const [top, bottom] = [y(base + n), y(base)];
      base += n;
      return [
        `<rect class="bar bar-${c}" x="${round(x(b.t))}" y="${round(top)}" width="${round(barWidth)}" height="${round(Math.max(0.5, bottom - top))}"/>`,
      ];
    });
    const label = bucketLabel(b, breakdown.stepMs, spec.timeZone);
    return (
      `<g class="status-bucket${b.partial ? ' partial' : ''}" data-t="${b.t}" data-requests="${b.requests}"` +
      statusClasses.map((c) => ` data-c${c}="${b.counts[c]}"`).join('') +
      `><title>${escapeMarkup(label)}</title>${rects.join('')}</g>`
    );
  });
  return [
    `<svg class="chart status-chart" xmlns="http://www.w3.org/2000/svg" role="img" width="${spec.width}" height="${spec.height}"`,
    ` viewBox="0 0 ${spec.width} ${spec.height}" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeMarkup(spec.title)}</title>`,
    `<desc id="${id}-desc">${escapeMarkup(describeStatusTotals(breakdown))}</desc>`,
    ...yAxis,
    ...xAxis,
    ...bars,
    '</svg>',
  ].join('');
}

/** "14:05 · 1,204 requests: 2xx 1,150, 4xx 40, 5xx 14 (partial)". */
export function bucketLabel(b: StatusBucket, stepMs: number, timeZone?: string): string {
  const parts = statusClasses.filter((c) => b.counts[c] > 0).map((c) => `${c} ${formatCount(b.counts[c])}`);
  const when = `${formatInstant(b.t, timeZone)} (${formatStep(stepMs)} bucket)`;
  return `${when} · ${formatCount(b.requests)} requests${parts.length ? `: ${parts.join(', ')}` : ''}${b.partial ? ' (partial, still filling)' : ''}`;
}

const round = (value: number) => Math.round(value * 10) / 10;
