import type { Logger } from 'pino';

/** Where the ingester can be held for a fault test: inside a seal, before an object put, before the local delete. */
export type TestPausePoint = 'seal' | 'upload' | 'delete';

/** Resolves after the configured pause for `point` (at once when none is configured). */
export type TestPause = (point: TestPausePoint, fields: Record<string, unknown>) => Promise<void>;

/**
 * Test-only (GRAVIX_TEST_*_DELAY_MS): a pause that first logs a constant marker, so a fault test watching the
 * log knows the process is in that state and can kill it at a random moment inside the pause. Never configured
 * in production; with every delay at 0 this returns undefined and the WAL and uploader skip the calls entirely.
 */
export function buildTestPause(delays: Record<TestPausePoint, number>, log: Logger): TestPause | undefined {
  if (Object.values(delays).every((ms) => ms === 0)) return undefined;
  return async (point, fields) => {
    const delayMs = delays[point];
    if (delayMs === 0) return;
    log.warn({ testPause: point, delayMs, ...fields }, 'test pause');
    // Unreferenced: a shutdown past its deadline exits mid-pause, as it would exit mid-upload.
    await new Promise((r) => setTimeout(r, delayMs).unref());
  };
}
