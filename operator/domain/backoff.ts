/** Exponential per-key retry delay with jitter-free doubling (deterministic for tests), capped. */
export function backoffDelayMs(failures: number, baseMs = 250, maxMs = 60_000): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 20));
}
