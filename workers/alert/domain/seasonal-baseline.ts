/**
 * A seasonal baseline: the same window at the same time of day on earlier days (same weekday or weekend kind)
 * and at the same time of week over the last weeks, summarised by median and MAD, which one past incident among
 * the samples cannot drag (a mean and a standard deviation would follow it).
 */
const dayMs = 86_400_000;
const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const isWeekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

/**
 * How far back each baseline sample lies: every week back `weeks` times, and the last six days when they are
 * the same kind of day (weekday or weekend), so a new installation has a baseline after a few days.
 */
export function baselineOffsets(at: number, weeks: number): number[] {
  const offsets: number[] = [];
  for (let d = 1; d <= 6; d++) if (isWeekend(at - d * dayMs) === isWeekend(at)) offsets.push(d * dayMs);
  for (let w = 1; w <= weeks; w++) offsets.push(w * 7 * dayMs);
  return offsets;
}

/** Fewer samples than this and the detector says it is still learning rather than guess. */
export const minBaselineSamples = 3;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Baseline {
  median: number;
  /** Median absolute deviation scaled to a normal distribution's sigma (x 1.4826). */
  spread: number;
  samples: number;
}

export function buildBaseline(samples: readonly number[]): Baseline | undefined {
  if (samples.length < minBaselineSamples) return undefined;
  const m = median(samples);
  return { median: m, spread: 1.4826 * median(samples.map((v) => Math.abs(v - m))), samples: samples.length };
}

/** How many spreads away from the median counts as anomalous. */
export const sensitivityFactor = { low: 6, medium: 4.5, high: 3 } as const;

/** "Tuesday 14:00" (UTC): the time of week the baseline was taken for. */
export function describeTimeOfWeek(t: number): string {
  const d = new Date(t);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${weekdayNames[d.getUTCDay()]} ${hh}:${mm}`;
}
