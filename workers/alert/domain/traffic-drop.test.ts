import { drawPoisson } from '../../domain/random-draws.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { dropLogAlpha, logPoissonLowerTail, suddenDrop } from './traffic-drop.js';

/** P(X <= c) by plain summation of the pmf, for lambdas small enough that e^-lambda does not underflow. */
function directTail(c: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= c; i++) {
    term *= lambda / i;
    sum += term;
  }
  return sum;
}

/** The test's streams: exact Poisson up to 60 requests a minute, the normal approximation above. */
const poisson = (random: () => number, lambda: number) => drawPoisson(random, lambda, 60);

describe('Poisson lower tail', () => {
  it('matches known values: e^-lambda for no requests, e^-3 (1 + 3 + 4.5) for two at lambda 3', () => {
    expect(logPoissonLowerTail(0, 20)).toBeCloseTo(-20, 12);
    expect(Math.exp(logPoissonLowerTail(2, 3))).toBeCloseTo(Math.exp(-3) * 8.5, 12);
    // P(X <= 5 | lambda 24.6): the 20% drop of a 25 req/min service over one minute (scipy: 1.8265e-6).
    expect(Math.exp(logPoissonLowerTail(5, 24.6))).toBeCloseTo(directTail(5, 24.6), 15);
  });

  it('agrees with direct summation over a grid of counts and lambdas', () => {
    for (const lambda of [0.5, 2, 7.3, 25, 90, 300])
      for (const frac of [0, 0.1, 0.3, 0.5, 0.8, 0.99, 1.2, 2]) {
        const c = Math.floor(lambda * frac);
        const expected = Math.log(directTail(c, lambda));
        expect(logPoissonLowerTail(c, lambda)).toBeCloseTo(expected, 9);
      }
  });

  it('stays finite in tails far beyond a double (no requests where 1200 are usual) and is 0 without expectation', () => {
    expect(logPoissonLowerTail(0, 1200)).toBe(-1200);
    const deep = logPoissonLowerTail(300, 1200);
    expect(Number.isFinite(deep)).toBe(true);
    expect(deep).toBeLessThan(-400);
    expect(logPoissonLowerTail(3, 0)).toBe(0);
    expect(logPoissonLowerTail(-1, 5)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is monotone: more requests are never less likely', () => {
    let last = Number.NEGATIVE_INFINITY;
    for (let c = 0; c <= 60; c++) {
      const l = logPoissonLowerTail(c, 40);
      expect(l).toBeGreaterThanOrEqual(last);
      last = l;
    }
    expect(last).toBeLessThanOrEqual(0);
  });
});

describe('sudden traffic drop', () => {
  const medium = dropLogAlpha.medium;
  const recentOf = (minutes: readonly number[]) =>
    minutes.map((_, k) => minutes.slice(minutes.length - 1 - k).reduce((a, b) => a + b, 0));

  it('flags a silent minute of a service that expects 21 requests a minute at once (e^-21)', () => {
    const verdict = suddenDrop(recentOf([20, 22, 19, 21, 0]), 21, 0.7 * 21, medium);
    expect(verdict).toMatchObject({ minutes: 1, requests: 0, expected: 21 });
    expect(verdict?.logP).toBeCloseTo(-21, 9);
  });

  it('flags a drop to 20% of 25 req/min within two minutes, not on the first (1.8e-6 is above 1e-6)', () => {
    expect(suddenDrop(recentOf([25, 24, 26, 25, 5]), 24.6, 17, medium)).toBeUndefined();
    expect(suddenDrop(recentOf([25, 24, 26, 5, 5]), 24.6, 17, medium)).toMatchObject({
      minutes: 2,
      requests: 10,
    });
  });

  it('does not flag a quiet service (2 req/min) that sent nothing for five minutes: e^-10 is no proof', () => {
    expect(suddenDrop(recentOf([0, 0, 0, 0, 0]), 2, 1.4, medium)).toBeUndefined();
  });

  it('does not flag an improbable span whose rate is still above the band guard', () => {
    // 30 of 100 usual: improbable, but the caller's ceiling (the band's low edge) is 25 per minute.
    expect(suddenDrop([30], 100, 25, medium)).toBeUndefined();
    expect(suddenDrop([20], 100, 25, medium)).toMatchObject({ minutes: 1 });
  });

  /** Flags over a stationary stream of `minutes` Poisson minutes, the ceiling at the usual rate itself. */
  function flagsOnStream(seed: number, lambda: number, minutes: number): number {
    const random = buildSeededRandom(seed);
    const window: number[] = [];
    let flagged = 0;
    for (let t = 0; t < minutes; t++) {
      window.push(poisson(random, lambda));
      if (window.length > 5) window.shift();
      if (window.length === 5 && suddenDrop(recentOf(window), lambda, lambda, medium)) flagged++;
    }
    return flagged;
  }

  it('raises (almost) no alert on stationary Poisson streams over many seeds and rates, even without the 70% guard', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 10; seed++)
      for (const lambda of [0.5, 3, 12, 25, 60, 150]) flagged += flagsOnStream(seed, lambda, 2_000);
    // 1e-6 per span and five spans a minute over 10 x 6 x 1,996 judged minutes: at most ~0.6 chance flags (nested
    // spans share minutes, so fewer); more than a couple would mean the tail is miscomputed.
    expect(flagged).toBeLessThanOrEqual(2);
  });

  it('flags a stream whose rate halves (25 -> 12 req/min) within five minutes', () => {
    const random = buildSeededRandom(3);
    const minutes = [25, 25, 25, 25, 25].map(() => poisson(random, 25));
    let at = -1;
    for (let t = 0; t < 5 && at < 0; t++) {
      minutes.push(poisson(random, 12));
      minutes.shift();
      if (suddenDrop(recentOf(minutes), 25, 0.7 * 25, medium)) at = t + 1;
    }
    expect(at).toBeGreaterThan(0);
  });
});
