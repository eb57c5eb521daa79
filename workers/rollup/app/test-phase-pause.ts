import type { Logger } from 'pino';

/** The narrow moments of a pass that the kill -9 fault test aims at (workers/rollup/testing/rollup-fault-trial.ts). */
export type RollupPhase = 'scan' | 'commit' | 'publish' | 'mark' | 'retention' | 'day-tile';

export const rollupPhases: readonly RollupPhase[] = [
  'scan',
  'commit',
  'publish',
  'mark',
  'retention',
  'day-tile',
];

let pause: { ms: number; log: Logger } | undefined;

/**
 * Test only (GRAVIX_ROLLUP_TEST_PHASE_PAUSE_MS): log each phase boundary and hold there for `ms`, so a test can
 * SIGKILL the real process inside a phase that otherwise lasts microseconds. 0, the default, turns it off.
 */
export function configurePhasePause(ms: number, log: Logger): void {
  pause = ms > 0 ? { ms, log } : undefined;
}

export async function pauseAtPhase(phase: RollupPhase): Promise<void> {
  if (pause === undefined) return;
  pause.log.info({ phase }, 'test phase pause');
  const ms = pause.ms;
  await new Promise((resolve) => setTimeout(resolve, ms));
}
