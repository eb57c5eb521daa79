import type { RollupHeartbeat } from '../../rollup/app/rollup-heartbeat.js';

const minuteMs = 60_000;

/**
 * The exclusive end of the minutes the evaluator may judge: every fact of them has been rolled up. A fact reaches
 * the store up to `settleMs` after its timestamp (the ingester's segment age plus the upload), so a minute is
 * complete once a pass that listed raw/ at least settleMs after the minute ended has finished. A pass with failed
 * partitions may have left some minutes out: nothing new is judged until a clean pass (undefined).
 */
export function committedHorizon(heartbeat: RollupHeartbeat | null, settleMs: number): number | undefined {
  if (!heartbeat || heartbeat.failed > 0 || heartbeat.listedAt === undefined) return undefined;
  const covered = Math.min(heartbeat.coveredUntil ?? heartbeat.listedAt, heartbeat.listedAt - settleMs);
  return Math.floor(covered / minuteMs) * minuteMs;
}

/**
 * The minutes (their starts) to evaluate now: after the last evaluated one, up to the horizon, at most
 * `catchUp` of them (after a long outage the newest minutes matter, not a replay of the whole gap). A rule never
 * evaluated (new, or its state just created) starts `firstMinutes` back (its `for`, at most `catchUp`): each
 * evaluation reads the rule's whole window, so judging the minutes `for` needs is what lets an incident already
 * under way that long fire on the first tick, as it would have under a worker that had been running. An incident
 * that ended before then is not in those minutes' breaches in a row, so it still never fires (docs/adr/0110).
 */
export function minutesToEvaluate(
  evaluatedThrough: number | null,
  horizon: number,
  catchUp: number,
  firstMinutes = 1,
): number[] {
  const newest = horizon - minuteMs;
  const back = Math.max(1, Math.min(firstMinutes, catchUp)) - 1;
  const first = Math.max(
    evaluatedThrough === null ? newest - back * minuteMs : evaluatedThrough + minuteMs,
    newest - (catchUp - 1) * minuteMs,
  );
  const minutes: number[] = [];
  for (let m = first; m <= newest; m += minuteMs) minutes.push(m);
  return minutes;
}
