import { latencyShift, logBinomialUpperTail, shiftLogAlpha } from './latency-shift.js';

/** P(X >= k) by plain summation of the pmf (small n only: the test's oracle). */
function directUpperTail(k: number, n: number, p: number): number {
  let sum = 0;
  for (let i = k; i <= n; i++) {
    let choose = 1;
    for (let j = 1; j <= i; j++) choose = (choose * (n - i + j)) / j;
    sum += choose * p ** i * (1 - p) ** (n - i);
  }
  return sum;
}

describe('binomial upper tail', () => {
  it('matches known values: p^n for every request slow, 1 for none, 1 - 0.95^n for at least one', () => {
    expect(logBinomialUpperTail(10, 10, 0.05)).toBeCloseTo(10 * Math.log(0.05), 10);
    expect(logBinomialUpperTail(0, 40, 0.05)).toBe(0);
    expect(Math.exp(logBinomialUpperTail(1, 40, 0.05))).toBeCloseTo(1 - 0.95 ** 40, 12);
  });

  it('agrees with direct summation over a grid of counts, volumes and shares', () => {
    const grid = [1, 5, 12, 39, 80, 200].flatMap((n) =>
      [0.01, 0.05, 0.07, 0.3].flatMap((p) =>
        [0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1].map((frac) => ({ n, p, k: Math.round(n * frac) })),
      ),
    );
    for (const { n, p, k } of grid) {
      const expected = Math.log(directUpperTail(k, n, p));
      // Past a double's range the oracle underflows (0.01^200); the deep-tail case below covers those.
      if (Number.isFinite(expected)) expect(logBinomialUpperTail(k, n, p)).toBeCloseTo(expected, 8);
    }
  });

  it('stays finite far beyond a double (3,000 of 3,000 requests slow) and is -Infinity past the volume', () => {
    expect(logBinomialUpperTail(3000, 3000, 0.05)).toBeCloseTo(3000 * Math.log(0.05), 6);
    const deep = logBinomialUpperTail(1500, 3000, 0.05);
    expect(Number.isFinite(deep)).toBe(true);
    expect(deep).toBeLessThan(-1500);
    expect(logBinomialUpperTail(41, 40, 0.05)).toBe(Number.NEGATIVE_INFINITY);
    expect(logBinomialUpperTail(3, 40, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(logBinomialUpperTail(3, 40, 1)).toBe(0);
  });

  it('is monotone: more slow requests are never more likely', () => {
    let last = 0;
    for (let k = 0; k <= 120; k++) {
      const l = logBinomialUpperTail(k, 120, 0.05);
      expect(l).toBeLessThanOrEqual(last);
      last = l;
    }
  });
});

describe('latency shift judged minute by minute', () => {
  const medium = shiftLogAlpha.medium;
  const spansOf = (minutes: readonly [number, number][]) =>
    minutes.map((_, k) =>
      minutes
        .slice(minutes.length - 1 - k)
        .reduce((a, [latencies, slow]) => ({ latencies: a.latencies + latencies, slow: a.slow + slow }), {
          latencies: 0,
          slow: 0,
        }),
    );

  it('flags the first minute of a x1.6 shift: 12 of 39 requests slower than the usual p95 (5%) is 3e-7', () => {
    const verdict = latencyShift(
      spansOf([
        [40, 2],
        [38, 1],
        [41, 3],
        [40, 2],
        [39, 12],
      ]),
      0.05,
      0.1,
      medium,
    );
    expect(verdict).toMatchObject({ minutes: 1, slow: 12, latencies: 39 });
    expect(verdict!.logP).toBeLessThan(medium);
  });

  it('waits for a second minute when the first alone is not improbable enough (9 of 39: 1e-4)', () => {
    expect(
      latencyShift(
        spansOf([
          [40, 2],
          [38, 1],
          [41, 3],
          [40, 2],
          [39, 9],
        ]),
        0.05,
        0.1,
        medium,
      ),
    ).toBeUndefined();
    expect(
      latencyShift(
        spansOf([
          [38, 1],
          [41, 3],
          [40, 2],
          [39, 9],
          [40, 10],
        ]),
        0.05,
        0.1,
        medium,
      ),
    ).toMatchObject({ minutes: 2, slow: 19, latencies: 79 });
  });

  it('does not flag a chance cluster of a quiet night: 4 of 12 slow, or 22 of 135 over five minutes', () => {
    expect(latencyShift(spansOf([[12, 4]]), 0.05, 0.1, medium)).toBeUndefined();
    expect(
      latencyShift(
        spansOf([
          [27, 4],
          [27, 5],
          [27, 4],
          [27, 5],
          [27, 4],
        ]),
        0.05,
        0.1,
        medium,
      ),
    ).toBeUndefined();
  });

  it('does not flag an improbable share still under the floor (a busy hour a point above its usual 5%)', () => {
    // 7% of 20,000 is improbable at 5% (e^-170) but under the 10% floor: the usual share's own error, not a shift.
    expect(latencyShift([{ latencies: 20_000, slow: 1_400 }], 0.05, 0.1, medium)).toBeUndefined();
    expect(latencyShift([{ latencies: 20_000, slow: 2_400 }], 0.05, 0.1, medium)).toMatchObject({
      minutes: 1,
    });
  });

  it('skips minutes without latencies', () => {
    expect(latencyShift([{ latencies: 0, slow: 0 }], 0.05, 0.1, medium)).toBeUndefined();
  });
});
