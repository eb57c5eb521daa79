import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { makeWindow } from '../testing/alert-fixtures.js';
import { drawPoissonExact as poisson } from '../../domain/random-draws.js';
import { describeBurst, errorBurst, minUsualErrorPct, usualErrorPct } from './error-burst.js';
import { evaluateAnomaly } from './evaluate-anomaly.js';
import type { SeriesWindow } from './series-window.js';

/**
 * ADR 0127: 5xx bursts judged minute by minute against the pooled baseline's usual share, on simulated minutes
 * (Poisson requests, each a 5xx with the minute's probability) through the real anomaly detector. Quiet series
 * stay quiet at the default sensitivity; the scenario's Sunday burst (5% at ~65 requests a minute, auth) is seen in
 * its first minutes, where the window's rate took 3-4.
 */
const svc = { service: 'auth' };
const anomaly = parseNamedAlertRule({
  name: 'r',
  kind: 'anomaly',
  anomaly: { metrics: ['error_rate'] },
}).anomaly!;
const sunday1200 = Date.UTC(2026, 10, 8, 12, 0);
/** A deadlock guard for the sampling tests (13-17 s each at load 41 on two cores), not a speed check. */
const samplingTimeoutMs = 90_000;

/** One minute of `rpm` expected requests, 5xx at `rate` (Poisson: a rare event among many requests). */
function minute(random: () => number, rpm: number, rate: number): SeriesWindow {
  const n = poisson(random, rpm);
  return makeWindow(svc, n, Math.min(n, poisson(random, n * rate)));
}

const merge = (minutes: readonly SeriesWindow[]) =>
  makeWindow(
    svc,
    minutes.reduce((s, m) => s + m.requests, 0),
    minutes.reduce((s, m) => s + m.errors5xx, 0),
  );

/** Ten baseline windows of five usual minutes each. */
const baseline = (random: () => number, rpm: number, rate: number) =>
  Array.from({ length: 10 }, () => merge(Array.from({ length: 5 }, () => minute(random, rpm, rate))));

const judge = (samples: readonly SeriesWindow[], newest: readonly SeriesWindow[]) => {
  const recent = newest.map((_, k) => merge(newest.slice(newest.length - 1 - k)));
  return evaluateAnomaly(anomaly, [{ key: svc, current: recent.at(-1), samples, recent }], sunday1200)[0]!;
};

/** Minutes from the first burst minute to the first breaching evaluation ('none' within `limit`). */
function delay(seed: number, rpm: number, usual: number, burst: number, limit = 6) {
  const random = buildSeededRandom(seed);
  const samples = baseline(random, rpm, usual);
  const newest = Array.from({ length: 5 }, () => minute(random, rpm, usual));
  for (let t = 1; t <= limit; t++) {
    newest.shift();
    newest.push(minute(random, rpm, burst));
    if (judge(samples, newest).breaching) return t;
  }
  return 'none';
}

describe('5xx bursts judged minute by minute (ADR 0127)', () => {
  it(
    'raises no alert over quiet minutes at 12 to 240 requests a minute and usual shares of 0.03% to 1%',
    () => {
      let [judged, breaching] = [0, 0];
      for (const [seed, rpm, rate] of [
        [81, 12, 0.0003],
        [82, 65, 0.0003],
        [83, 240, 0.0002],
        [84, 65, 0.01],
        [85, 240, 0.005],
      ] as const) {
        const random = buildSeededRandom(seed);
        const pool = Array.from({ length: 4 }, () => baseline(random, rpm, rate)).flat();
        const newest = Array.from({ length: 5 }, () => minute(random, rpm, rate));
        for (let t = 0; t < 300; t++) {
          newest.shift();
          newest.push(minute(random, rpm, rate));
          const samples = Array.from({ length: 10 }, () => pool[Math.floor(random() * pool.length)]!);
          const o = judge(samples, newest);
          if (!o.insufficient) judged++;
          if (o.breaching) breaching++;
        }
      }
      expect(judged).toBeGreaterThan(1400);
      expect(breaching).toBe(0);
    },
    samplingTimeoutMs,
  );

  it(
    "sees a 5% burst at 65 requests a minute (the scenario's Sunday burst) by its 3rd minute for 88% of 150 fixed seeds",
    () => {
      // Measured over 1,000 seeds (5000-5999): the first breaching minute is the 1st for 27.5%, by the 2nd 69.1%, by
      // the 3rd 91.6%, by the 4th 98.0%, by the 6th 99.9% (one seed's burst sent too few 5xx). A rate over a fixed
      // sample, not a claim for every seed: the test judges noisy counts.
      const delays = Array.from({ length: 150 }, (_, i) => delay(1000 + i, 65, 0.0003, 0.05));
      const within = (m: number) => delays.filter((d) => d !== 'none' && d <= m).length / delays.length;
      expect(within(2)).toBeGreaterThanOrEqual(0.65);
      expect(within(3)).toBeGreaterThanOrEqual(0.88);
      expect(within(6)).toBeGreaterThanOrEqual(0.99);
    },
    samplingTimeoutMs,
  );

  it(
    'sees a 5% burst at 150 requests a minute (auth at a weekday peak) by its 2nd minute for 99% of 100 fixed seeds',
    () => {
      // Measured over 1,000 seeds: the 1st minute for 83.5%, by the 2nd 99.6%, by the 3rd all.
      const delays = Array.from({ length: 100 }, (_, i) => delay(2000 + i, 150, 0.0003, 0.05));
      const within = (m: number) => delays.filter((d) => d !== 'none' && d <= m).length / delays.length;
      expect(within(1)).toBeGreaterThanOrEqual(0.78);
      expect(within(2)).toBeGreaterThanOrEqual(0.99);
    },
    samplingTimeoutMs,
  );

  it('takes the usual share from the baseline windows inside the band, at its upper bound, at least 0.1%', () => {
    const quiet = Array.from({ length: 9 }, () => makeWindow(svc, 2000, 10));
    const incident = makeWindow(svc, 2000, 400);
    // 90 of 18,000 (0.5%) at its Wilson upper bound; the incident's window (20%) is left out.
    const usual = usualErrorPct([...quiet, incident], 1.5);
    expect(usual).toBeGreaterThan(0.5);
    expect(usual).toBeLessThan(0.65);
    expect(usualErrorPct([makeWindow(svc, 100_000, 0)], 1)).toBe(minUsualErrorPct);
    expect(usualErrorPct([], 1.2)).toBe(1.2);
  });

  it('judges the shortest improbable span over the floor and explain it', () => {
    const spans = [makeWindow(svc, 65, 2), makeWindow(svc, 130, 7), makeWindow(svc, 195, 9)];
    // 2 of 65 at 0.1% is 2e-3; 7 of 130 is far under 1e-6.
    const burst = errorBurst(spans, 0.1, 1.125, Math.log(1e-6));
    expect(burst).toMatchObject({ minutes: 2, errors: 7, requests: 130, usualPct: 0.1 });
    expect(describeBurst(burst)).toBe(
      '; 7 of 130 requests in the last 2 min (5.4%) answered 5xx (usually 0.10%)',
    );
    // Under the floor no span counts, however improbable.
    expect(errorBurst(spans, 0.1, 6, Math.log(1e-6))).toBeUndefined();
    expect(describeBurst(undefined)).toBe('');
  });

  it('explains a breach in the observation', () => {
    const random = buildSeededRandom(90);
    const samples = baseline(random, 65, 0.0003);
    const newest = [
      ...Array.from({ length: 3 }, () => minute(random, 65, 0.0003)),
      makeWindow(svc, 66, 2),
      makeWindow(svc, 64, 4),
    ];
    const o = judge(samples, newest);
    expect(o.breaching).toBe(true);
    expect(o.explanation).toMatch(
      /^error rate [\d.]+% vs expected [\d.]+%–[\d.]+% for Sunday 12:00 \(10 samples\); \d+ of \d+ requests in the last (minute|\d min) \(\d+\.\d%\) answered 5xx \(usually 0\.\d\d%\)$/,
    );
  });
});
