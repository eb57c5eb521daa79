import { errorRateBounds } from './evaluate-threshold.js';
import { latencyShift, type ShiftVerdict } from './latency-shift.js';
import type { SeriesWindow } from './series-window.js';

/**
 * A 5xx burst judged minute by minute (issue #20, ADR 0127): the newest k minutes' 5xx (k = 1..window) against the
 * series' usual 5xx share, by the exact binomial upper tail, as latency shifts are judged (latency-shift.ts: a 5xx
 * is a "slow" request there). The window's rate alone dilutes a burst's first minutes with the four quiet minutes
 * before it: a 5% burst at ~65 requests a minute (auth on a Sunday) needed 3-4 minutes to lift the window's
 * Wilson bound over its band, while 6 errors in its first 2 minutes' 130 requests are already 2e-7 at the
 * pooled usual share (~0.17%). Pure: no IO.
 */

/**
 * The least usual share assumed, in percent. Real errors come in small clumps (a client retrying a failed call a
 * few times), which a pool of a quiet service's baseline (0.01-0.06% in the scenario) would make improbable; at
 * 0.1% a busy minute of 240 requests needs 6 errors (2.5%) to be improbable, and the share guard below still
 * applies.
 */
export const minUsualErrorPct = 0.1;

/**
 * The usual 5xx share in percent: the baseline windows inside the band (at or under `highPct`: a past incident
 * among the samples is left out, as the median leaves it out) pooled, at the pool's upper 95% Wilson bound, at
 * least minUsualErrorPct. A pool that underestimates the usual share makes the test stricter, never looser (ADR
 * 0110's rule for pooled latencies): ten windows of a quiet service hold a few thousand requests and one or two
 * errors, ~0.17% at 65 requests a minute.
 */
export function usualErrorPct(samples: readonly SeriesWindow[], highPct: number): number {
  const quiet = samples.filter((s) => s.requests > 0 && (100 * s.errors5xx) / s.requests <= highPct);
  const requests = quiet.reduce((sum, s) => sum + s.requests, 0);
  const errors = quiet.reduce((sum, s) => sum + s.errors5xx, 0);
  if (requests === 0) return Math.max(minUsualErrorPct, highPct);
  return Math.max(minUsualErrorPct, errorRateBounds(errors, requests).high);
}

export interface BurstVerdict {
  minutes: number;
  errors: number;
  requests: number;
  /** The usual share the test assumed, in percent. */
  usualPct: number;
  logP: number;
}

const fromShift = (v: ShiftVerdict, usualPct: number): BurstVerdict => ({
  minutes: v.minutes,
  errors: v.slow,
  requests: v.latencies,
  usualPct,
  logP: v.logP,
});

/**
 * The shortest newest span whose 5xx share is at least `floorPct` (the window's band edge: a minute merely as bad
 * as the worse baseline days is no burst) and improbable under Binomial(requests, usualPct). `spans[k-1]` holds the
 * newest k minutes.
 */
export function errorBurst(
  spans: readonly (SeriesWindow | undefined)[],
  usualPct: number,
  floorPct: number,
  logAlpha: number,
): BurstVerdict | undefined {
  const counted = spans.map((w) => ({ latencies: w?.requests ?? 0, slow: w?.errors5xx ?? 0 }));
  const verdict = latencyShift(counted, usualPct / 100, floorPct / 100, logAlpha);
  return verdict && fromShift(verdict, usualPct);
}

/** "; 9 of 130 requests in the last 2 min (6.9%) answered 5xx (usually 0.10%)" */
export function describeBurst(burst: BurstVerdict | undefined): string {
  if (!burst) return '';
  const span = burst.minutes === 1 ? 'the last minute' : `the last ${burst.minutes} min`;
  const share = (100 * burst.errors) / burst.requests;
  return (
    `; ${burst.errors} of ${burst.requests} requests in ${span} (${share.toFixed(1)}%) answered 5xx ` +
    `(usually ${burst.usualPct.toFixed(2)}%)`
  );
}
