import type { AnomalySpec } from '../../../crds/gravix-alert-rule-spec.js';
import { mergeHistogramRows } from '../../query/domain/merge-summaries.js';
import { errorRateBounds } from './evaluate-threshold.js';
import { latencyShift, shiftLogAlpha, type ShiftVerdict } from './latency-shift.js';
import { minBaselineSamples } from './seasonal-baseline.js';
import { latencyCount, percentileMs, slowRequests, type SeriesWindow } from './series-window.js';

/**
 * A latency shift of a series too small for the window rule (under `minRequests` in the window, or fewer than
 * three baseline windows that large: ADR 0110). Each baseline window's own p95 is then the largest of a few
 * dozen latencies, so the baseline windows are pooled: the usual p95 is the p95 of all their latencies together
 * (the same window at the same time of day and week, so still seasonal), and the usual share slower than it is
 * the upper 95% Wilson bound of the pool's own share, at least 5%: with 100 pooled latencies about 11%, so a
 * pool that underestimates the true p95 makes the test stricter, never looser. The newest 1..5 minutes' slow
 * requests are then judged by the same exact binomial tail and alpha as a busy series (latency-shift.ts), under
 * the same `slowShareFactor` guard: 14 requests all slower than the usual p95 are 1e-13 at 11%, and fire; 3 of a
 * night minute's 4 are 4e-3, and do not.
 */

/** Fewer pooled latencies than this and the pool's p95 is its largest value or two: "learning". */
export const minPooledLatencies = 20;

export interface SmallLatencyVerdict {
  usualP95: number;
  /** The usual share slower than usualP95 the test assumed, in percent. */
  usualShare: number;
  pooled: number;
  samples: number;
  shift: ShiftVerdict | undefined;
}

/**
 * `samples` are the baseline windows, `spans` the newest k minutes (index k-1), `factor` the sensitivity's
 * slowShareFactor. Undefined when there is too little to judge (fewer than 3 samples with latencies, a pool under
 * minPooledLatencies, or no latency in the window).
 */
export function smallLatencyShift(
  sensitivity: AnomalySpec['sensitivity'],
  factor: number,
  samples: readonly SeriesWindow[],
  spans: readonly (SeriesWindow | undefined)[],
): SmallLatencyVerdict | undefined {
  const measured = samples.filter((s) => latencyCount(s) > 0);
  const window = spans.at(-1);
  if (measured.length < minBaselineSamples || !window || latencyCount(window) === 0) return undefined;
  // One group: the samples are the same series at different offsets.
  const pool = mergeHistogramRows(
    measured.map(({ t: _t, ...s }) => ({ ...s, service: '', method: '', path: '' })),
  )[0];
  const usualP95 = pool ? percentileMs(pool, 'p95') : null;
  if (!pool || usualP95 === null || latencyCount(pool) < minPooledLatencies) return undefined;
  const pooled = latencyCount(pool);
  const usualShare = Math.max(5, errorRateBounds(slowRequests(pool, usualP95), pooled).high);
  const counted = spans.map((w) => ({
    latencies: w ? latencyCount(w) : 0,
    slow: w ? slowRequests(w, usualP95) : 0,
  }));
  const floor = Math.min(1, (factor * usualShare) / 100);
  const shift = latencyShift(counted, usualShare / 100, floor, shiftLogAlpha[sensitivity]);
  return { usualP95, usualShare, pooled, samples: measured.length, shift };
}
