import type { Logger } from 'pino';

/** The narrow moments of a pass that the kill -9 fault test aims at (workers/rollup/testing/rollup-fault-trial.ts). */
export type RollupPhase = 'scan' | 'commit' | 'publish' | 'mark' | 'retention' | 'day-tile' | OpenHourPhase;

/**
 * The open-hour tile step's moments (refresh-open-hour-tiles.ts): before each tile's put, before the marker, before
 * each delete of a superseded marker or coverage, before each delete of an hour past its grace. Apart from
 * `rollupPhases`, which the closed-hour trial picks from (its runs build no open-hour tile): the open-hour trial
 * (testing/open-hour-fault-trial.ts) aims at these.
 */
export type OpenHourPhase =
  'open-hour-tile' | 'open-hour-marker' | 'open-hour-superseded' | 'open-hour-expiry';

export const openHourPhases: readonly OpenHourPhase[] = [
  'open-hour-tile',
  'open-hour-marker',
  'open-hour-superseded',
  'open-hour-expiry',
];

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
