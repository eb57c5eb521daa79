/** What /ready of the rollup loop knows: the last finished pass, and when the pass in progress (if any) started. */
export interface RollupProgress {
  last?: { finishedAtMs: number; passError?: string };
  runningSinceMs?: number;
}

/** Why the rollup is not ready (the API's error body), or undefined when it is. */
export interface NotReady {
  code: 'ROLLUP_NO_PASS_YET' | 'ROLLUP_PASS_FAILED' | 'ROLLUP_PASS_STALLED';
  message: string;
}

/**
 * How long a pass may run before /ready calls it stalled: four intervals, and never less than two minutes (a
 * catching-up pass over many partitions is slow, not stuck).
 */
export function rollupStallMs(intervalMs: number): number {
  return Math.max(120_000, 4 * intervalMs);
}

/**
 * The rollup's readiness. A pass that neither finishes nor fails (a store that drops packets: every request waits
 * out its timeouts and retries) is not ready once it has run past `stallMs`; otherwise /ready would stay green,
 * and the pipeline Available, while nothing is rolled up.
 */
export function rollupReadiness(
  progress: RollupProgress,
  nowMs: number,
  stallMs: number,
): NotReady | undefined {
  const { last, runningSinceMs } = progress;
  if (runningSinceMs !== undefined && nowMs - runningSinceMs > stallMs) {
    const since = new Date(runningSinceMs).toISOString();
    return {
      code: 'ROLLUP_PASS_STALLED',
      message: `the rollup pass started at ${since} has run for more than ${Math.round(stallMs / 1000)} s`,
    };
  }
  if (!last) return { code: 'ROLLUP_NO_PASS_YET', message: 'no rollup pass has finished yet' };
  if (last.passError === undefined) return undefined;
  const at = new Date(last.finishedAtMs).toISOString();
  return { code: 'ROLLUP_PASS_FAILED', message: `the rollup pass at ${at} failed: ${last.passError}` };
}
