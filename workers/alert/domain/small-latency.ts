import type { AnomalySpec } from '../../../crds/gravix-alert-rule-spec.js';
import { histogramQuantileMs, mergeHistogramRows } from '../../query/domain/merge-summaries.js';
import { errorRateBounds } from './evaluate-threshold.js';
import { latencyShift, shiftLogAlpha, type ShiftVerdict } from './latency-shift.js';
import { minBaselineSamples } from './seasonal-baseline.js';
import { latencyCount, slowRequests, type SeriesWindow } from './series-window.js';

/**
 * A latency shift of a series too small for the window rule (under `minRequests` in the window, or fewer than
 * three baseline windows that large: ADR 0110). Each baseline window's own p95 is then the largest of a few
 * dozen latencies, so the baseline windows are pooled: the usual p90, p95 and p99 are those of all their
 * latencies together (the same window at the same time of day and week, so still seasonal), and the usual share
 * slower than each is the upper 95% Wilson bound of the pool's own share, at least the quantile's nominal tail
 * (10%, 5%, 1%): a pool that underestimates a quantile makes its test stricter, never looser. The newest 1..5
 * minutes' requests slower than each are judged by the same exact binomial tail as a busy series
 * (latency-shift.ts), under the same `slowShareFactor` guard.
 *
 * Three thresholds, not only p95 (ADR 0134): a small service gives its evidence only as fast as its requests
 * arrive, and a large shift makes nearly all of them pass the usual p90 but only some pass the p95 (x3 at
 * sigma 0.45: 88% vs 79%) at a usual share twice as large. 9 of 10 requests past the p90 (usually 14%) are 2e-7,
 * where 6 of the same 10 past the p95 (usually 8%) are 4e-5. Each threshold is judged at alpha / 3, so the chance
 * that any of the three fires on a quiet span is at most what the single p95 test had (a union bound).
 */

/** Fewer pooled latencies than this and the pool's p95 is its largest value or two: "learning". */
export const minPooledLatencies = 20;

/** The pooled quantiles the newest requests are counted above; the p95 one is the one explained by default. */
export const pooledQuantiles = [0.9, 0.95, 0.99] as const;

export interface SmallLatencyShift extends ShiftVerdict {
  /** The pooled quantile (0.9, 0.95, 0.99) the slow requests were counted above, and its value. */
  quantile: number;
  thresholdMs: number;
  /** The usual share slower than thresholdMs the test assumed, in percent. */
  usualShare: number;
}

export interface SmallLatencyVerdict {
  usualP95: number;
  pooled: number;
  samples: number;
  shift: SmallLatencyShift | undefined;
}

/** The shortest improbable span first; at the same span, the most improbable threshold. */
const earlier = (a: SmallLatencyShift, b: SmallLatencyShift) => a.minutes - b.minutes || a.logP - b.logP;

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
  const usualP95 = pool ? histogramQuantileMs(pool, 0.95) : null;
  if (!pool || usualP95 === null || latencyCount(pool) < minPooledLatencies) return undefined;
  const pooled = latencyCount(pool);
  const logAlpha = shiftLogAlpha[sensitivity] - Math.log(pooledQuantiles.length);
  const verdicts = pooledQuantiles.flatMap((quantile): SmallLatencyShift[] => {
    const thresholdMs = histogramQuantileMs(pool, quantile)!;
    const nominal = 100 * (1 - quantile);
    const usualShare = Math.max(nominal, errorRateBounds(slowRequests(pool, thresholdMs), pooled).high);
    const counted = spans.map((w) => ({
      latencies: w ? latencyCount(w) : 0,
      slow: w ? slowRequests(w, thresholdMs) : 0,
    }));
    const floor = Math.min(1, (factor * usualShare) / 100);
    const shift = latencyShift(counted, usualShare / 100, floor, logAlpha);
    return shift ? [{ ...shift, quantile, thresholdMs, usualShare }] : [];
  });
  const shift = verdicts.sort(earlier)[0];
  return { usualP95, pooled, samples: measured.length, shift };
}
