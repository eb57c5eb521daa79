import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { runRollupOnce, type RollupRunSummary } from '../app/run-rollup-once.js';

const day = 86_400_000;

/**
 * One rollup pass at `nowMs` as the tests of what a pass writes run it: no lateness (every hour before `nowMs` is
 * closed), 30 days of retention that is not applied (the test's data stays whatever its age), and the scan on the
 * event loop (no scan thread to start and stop per pass).
 */
export function rollUpClosedHours(
  store: ObjectStore,
  nowMs: number,
  options: { force?: boolean } = {},
): Promise<RollupRunSummary> {
  return runRollupOnce({
    store,
    nowMs,
    latenessMs: 0,
    rawRetentionMs: 30 * day,
    metricsRetentionMs: 30 * day,
    applyRetention: false,
    scanThreads: 0,
    ...options,
  });
}
