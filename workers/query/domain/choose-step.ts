const minute = 60_000;
/** Steps a chart axis reads well at; the smallest that keeps the point count under maxPoints wins. */
export const niceSteps = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * minute);
export const maxPoints = 360;

/** Picks a step for [from, to): the requested one if it is a whole number of minutes that keeps points bounded. */
export function chooseStep(from: number, to: number, requestedMs?: number): number {
  const span = to - from;
  const smallest = Math.max(minute, Math.ceil(span / maxPoints / minute) * minute);
  if (requestedMs !== undefined && requestedMs >= smallest) return requestedMs;
  return niceSteps.find((s) => s >= smallest) ?? Math.ceil(smallest / (1440 * minute)) * 1440 * minute;
}

/** Every step start in [from, to), so a chart shows gaps as zero traffic instead of joining distant points. */
export function stepStarts(from: number, to: number, stepMs: number): number[] {
  const starts: number[] = [];
  for (let t = from; t < to; t += stepMs) starts.push(t);
  return starts;
}
