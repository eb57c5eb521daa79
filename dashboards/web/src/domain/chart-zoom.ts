import { plotArea, type LineChartSpec } from './line-chart-svg.js';
import { linearScale } from './scale.js';

const MINUTE = 60_000;
/** A drag shorter than this (SVG px) is a click, not a selection. */
export const MIN_DRAG_PX = 6;

/**
 * The time range a drag from x0 to x1 (SVG units, either direction) selects on a chart: clamped to the plot,
 * widened to whole minutes (the API's grain) and at least one minute long; null for a drag shorter than
 * MIN_DRAG_PX, which is a click.
 */
export function buildZoomRange(
  spec: Pick<LineChartSpec, 'width' | 'height' | 'from' | 'to'>,
  x0: number,
  x1: number,
): { from: number; to: number } | null {
  if (Math.abs(x1 - x0) < MIN_DRAG_PX) return null;
  const plot = plotArea(spec);
  const clamp = (x: number) => Math.min(plot.right, Math.max(plot.left, x));
  const time = linearScale([plot.left, plot.right], [spec.from, spec.to]);
  const [a, b] = [time(clamp(Math.min(x0, x1))), time(clamp(Math.max(x0, x1)))];
  const from = Math.floor(a / MINUTE) * MINUTE;
  const to = Math.max(from + MINUTE, Math.ceil(b / MINUTE) * MINUTE);
  return { from, to };
}

/** SVG x of time t on the chart (the shared crosshair of another chart's step). */
export function timeToX(spec: Pick<LineChartSpec, 'width' | 'height' | 'from' | 'to'>, t: number): number {
  const plot = plotArea(spec);
  return linearScale([spec.from, spec.to], [plot.left, plot.right])(t);
}
