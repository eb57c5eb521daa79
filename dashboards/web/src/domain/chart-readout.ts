import type { LineChartSpec, SeriesVariant } from './line-chart-svg.js';
import { plotArea } from './line-chart-svg.js';
import { formatInstant, linearScale } from './scale.js';

export interface Readout {
  /** SVG x of the step the pointer is over. */
  x: number;
  /** Start of that step. */
  t: number;
  heading: string;
  rows: { name: string; variant: SeriesVariant; value: string }[];
}

/**
 * The values of every series at the step under the pointer (`pointerX` in SVG units), or null outside the
 * plot. Steps are buckets starting at their `t`, so the pointer selects the last step starting before it.
 * A bucket still filling says so next to its values.
 */
export function buildReadout(spec: LineChartSpec, pointerX: number): Readout | null {
  const plot = plotArea(spec);
  if (pointerX < plot.left || pointerX > plot.right) return null;
  const t = linearScale([plot.left, plot.right], [spec.from, spec.to])(pointerX);
  const steps = spec.series[0]?.points ?? [];
  const step = [...steps].reverse().find((p) => p.t <= t) ?? steps[0];
  if (!step) return null;
  let partial = false;
  const rows = spec.series.map((s) => {
    const complete = s.points.find((p) => p.t === step.t)?.v ?? null;
    const filling = s.partial?.find((p) => p.t === step.t)?.v ?? null;
    if (complete === null && filling !== null) partial = true;
    const v = complete ?? filling;
    return { name: s.name, variant: s.variant, value: v === null ? 'no data' : spec.formatValue(v) };
  });
  const x = linearScale([spec.from, spec.to], [plot.left, plot.right])(step.t);
  const heading = `${formatInstant(step.t, spec.timeZone)}${partial ? ' (partial, still filling)' : ''}`;
  return { x, t: step.t, heading, rows };
}
