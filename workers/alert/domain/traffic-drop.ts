/**
 * A traffic drop judged minute by minute (issue #20, ADR 0098): the newest k minutes' requests (k = 1..window)
 * against the seasonal expectation for k minutes, by the exact Poisson lower tail. A service that usually sends
 * 20 requests a minute and sent none for two minutes has probability e^-40 of doing that by chance, so it is
 * flagged then, not after the 5-minute window has mostly filled with silence (4-5 minutes for the low-traffic
 * `reports` service, bench/README.md). Pure: no IO.
 */

/**
 * ln P(X <= count) for X ~ Poisson(lambda), summed in log space so large lambdas (a busy service over five
 * minutes: over a thousand) and deep tails (e^-1000) neither underflow nor lose precision.
 */
export function logPoissonLowerTail(count: number, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (count < 0) return Number.NEGATIVE_INFINITY;
  const c = Math.floor(count);
  if (c >= lambda) return Math.log(poissonLowerTailDirect(c, lambda));
  // Terms rise up to c (< lambda), so the last is the largest: find its log, then sum the terms scaled by it from
  // the top down (each term is the one above times i/lambda), stopping once they no longer change the sum.
  let top = -lambda;
  for (let i = 1; i <= c; i++) top += Math.log(lambda / i);
  let term = 1;
  let sum = 1;
  for (let i = c; i > 0 && term > 1e-17 * sum; i--) {
    term *= i / lambda;
    sum += term;
  }
  return top + Math.log(sum);
}

/** At or above the mean the tail is not small: plain summation is exact enough (never an alert: counts below the mean are). */
function poissonLowerTailDirect(c: number, lambda: number): number {
  let log = -lambda;
  let sum = 0;
  for (let i = 0; i <= c; i++) {
    if (i > 0) log += Math.log(lambda / i);
    sum += Math.exp(log);
  }
  return Math.min(1, sum);
}

/**
 * ln alpha per sensitivity: how improbable k minutes' count must be under the usual rate. A week has ~10,000
 * evaluated minutes and each judges up to five spans, so medium (1e-6) leaves about 0.05 chance alerts a week
 * on an exact Poisson stream; real traffic is burstier than Poisson, which the ratio and band guards absorb.
 */
export const dropLogAlpha = { low: Math.log(1e-8), medium: Math.log(1e-6), high: Math.log(1e-4) } as const;

export interface DropVerdict {
  /** The span (minutes) whose count is improbable, the shortest one. */
  minutes: number;
  requests: number;
  expected: number;
  /** ln of the Poisson lower tail. */
  logP: number;
}

/**
 * The shortest newest span whose request count is both far below the usual rate (per-minute rate under
 * `ceilingPerMinute`: the seasonal band's low edge and 70% of its median, the same guards the window has) and
 * improbable under Poisson(expectedPerMinute * k). `recent[k-1]` holds the newest k minutes' requests.
 */
export function suddenDrop(
  recent: readonly number[],
  expectedPerMinute: number,
  ceilingPerMinute: number,
  logAlpha: number,
): DropVerdict | undefined {
  if (!(expectedPerMinute > 0)) return undefined;
  for (let k = 1; k <= recent.length; k++) {
    const requests = recent[k - 1]!;
    if (requests / k >= ceilingPerMinute) continue;
    const expected = expectedPerMinute * k;
    const logP = logPoissonLowerTail(requests, expected);
    if (logP < logAlpha) return { minutes: k, requests, expected, logP };
  }
  return undefined;
}
