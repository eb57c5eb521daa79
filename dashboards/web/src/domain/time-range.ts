/** Time range presets and the query step for a range; the step keeps every chart near 60-180 points. */

export const RANGE_PRESETS = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export type TimeRange =
  { kind: 'preset'; preset: RangePreset } | { kind: 'custom'; from: number; to: number };

export interface ResolvedRange {
  from: number;
  to: number;
  stepMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const PRESET_MS: Record<RangePreset, number> = {
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
};

export const PRESET_LABELS: Record<RangePreset, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

/** Metrics are per minute, so no step is finer than a minute. */
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, DAY];
const MAX_POINTS = 180;

export function isRangePreset(value: string): value is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(value);
}

export function chooseStepMs(durationMs: number): number {
  return STEPS.find((step) => durationMs / step <= MAX_POINTS) ?? DAY;
}

/**
 * Turns the range in the URL into query bounds. Preset ranges end at the current minute's end so the
 * newest (partial) minute is included; `from` is aligned to the step so buckets stay stable across refreshes.
 */
export function resolveRange(
  range: TimeRange,
  now: number,
  chosenStepMs: number | null = null,
): ResolvedRange {
  if (range.kind === 'custom') {
    return { from: range.from, to: range.to, stepMs: chosenStepMs ?? chooseStepMs(range.to - range.from) };
  }
  const duration = PRESET_MS[range.preset];
  const stepMs = chosenStepMs ?? chooseStepMs(duration);
  const to = Math.ceil(now / MINUTE) * MINUTE;
  const from = Math.floor((to - duration) / stepMs) * stepMs;
  return { from, to, stepMs };
}

/**
 * Auto-refresh only makes sense while the range reaches the present: a fixed past range never changes, and
 * polling it costs the engine for nothing.
 */
export function rangeEndsNow(range: TimeRange, now: number): boolean {
  return range.kind === 'preset' || range.to >= now - MINUTE;
}

export function presetDurationMs(preset: RangePreset): number {
  return PRESET_MS[preset];
}
