/**
 * A latency shift judged minute by minute (issue #20, ADR 0103): the requests of the newest k minutes
 * (k = 1..window) slower than the usual p95, against the share the baseline windows had (about 5%), by the exact
 * binomial upper tail. A x1.6 shift makes a quarter of a minute's requests slower than the usual p95, so 11 of 39
 * requests in its first minute are already improbable (about 2e-6 at 5%), while three slow requests among the
 * dozen of a night minute are not (2e-2): the volume is in the probability, so a chance cluster of a few slow
 * requests cannot fire where a sure bound on a share of 100 requests did. Pure: no IO.
 */

/** ln C(n, k), summed over the shorter side (n up to a busy service's five minutes: ~10^5 terms at most). */
function logChoose(n: number, k: number): number {
  const m = Math.min(k, n - k);
  let sum = 0;
  for (let i = 1; i <= m; i++) sum += Math.log((n - m + i) / i);
  return sum;
}

const logTerm = (i: number, n: number, p: number) =>
  logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p);

/**
 * ln of the sum of binomial pmf terms from `from` stepping by `step` (+1 up, -1 down) while the terms fall: the
 * first term is the largest, so the sum is scaled by it and stops once a term no longer changes it.
 */
function logTailFrom(from: number, step: 1 | -1, n: number, p: number): number {
  const odds = p / (1 - p);
  let term = 1;
  let sum = 1;
  for (let i = from; step === 1 ? i < n : i > 0; i += step) {
    term *= step === 1 ? ((n - i) / (i + 1)) * odds : i / (n - i + 1) / odds;
    sum += term;
    if (term <= 1e-17 * sum) break;
  }
  return logTerm(from, n, p) + Math.log(sum);
}

/** ln P(X >= k) for X ~ Binomial(n, p), in log space so deep tails (a busy minute all slow: e^-3000) stay finite. */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  const c = Math.ceil(k);
  if (c <= 0) return 0;
  if (c > n || p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return 0;
  // Above the mean the terms fall from k upwards; at or below it the lower tail P(X <= k-1) falls from k-1
  // downwards and the upper tail is its complement, not small, so no precision is lost in the subtraction.
  if (c > n * p) return logTailFrom(c, 1, n, p);
  return Math.log(Math.max(0, 1 - Math.exp(logTailFrom(c - 1, -1, n, p))));
}

/**
 * ln alpha per sensitivity: how improbable the newest k minutes' slow requests must be at the usual share. The
 * same levels as a traffic drop's (traffic-drop.ts): ~10,000 judged minutes a week and five spans each give about
 * 0.05 chance alerts per series and week at medium when the usual share is right.
 */
export const shiftLogAlpha = { low: Math.log(1e-8), medium: Math.log(1e-6), high: Math.log(1e-4) } as const;

/** The newest k minutes: latencies counted and how many were slower than the usual p95. */
export interface LatencySpan {
  latencies: number;
  slow: number;
}

export interface ShiftVerdict {
  /** The span (minutes) whose slow requests are improbable, the shortest one. */
  minutes: number;
  slow: number;
  latencies: number;
  /** ln of the binomial upper tail at the usual share. */
  logP: number;
}

/**
 * The shortest newest span whose share of slow requests is both at least `floorShare` (the guard that keeps a
 * merely slower day inside the baseline's own spread from counting) and improbable under Binomial(latencies,
 * usualShare). `spans[k-1]` holds the newest k minutes.
 */
export function latencyShift(
  spans: readonly LatencySpan[],
  usualShare: number,
  floorShare: number,
  logAlpha: number,
): ShiftVerdict | undefined {
  for (let k = 1; k <= spans.length; k++) {
    const { latencies, slow } = spans[k - 1]!;
    if (latencies === 0 || slow / latencies < floorShare) continue;
    const logP = logBinomialUpperTail(slow, latencies, usualShare);
    if (logP < logAlpha) return { minutes: k, slow, latencies, logP };
  }
  return undefined;
}
