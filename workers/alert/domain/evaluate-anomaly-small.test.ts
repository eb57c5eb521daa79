import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import {
  mergeMinutes,
  newestSpans,
  paymentsShape,
  simulatedMinute,
  type LatencyShape,
} from '../testing/simulated-minutes.js';
import { evaluateAnomaly } from './evaluate-anomaly.js';
import type { SeriesWindow } from './series-window.js';

/**
 * Property tests of p95 for series under the window rule's `minRequests` (50 in 5 minutes): the newest minutes'
 * slow requests against the pooled baseline's p95 (small-latency.ts, ADR 0110). Quiet small services must stay
 * quiet at the default sensitivity; every request turning slow must alert.
 */
const svc = { service: 'payments' };
const anomaly = parseNamedAlertRule({ name: 'r', kind: 'anomaly', anomaly: { metrics: ['p95'] } }).anomaly!;
const thursday2300 = Date.UTC(2026, 11, 3, 23, 0);

/** `windows` baseline windows (ten unless told) of five usual minutes each at `rpm`. */
const baseline = (random: () => number, rpm: number, windows = 10, shape: LatencyShape = paymentsShape) =>
  Array.from({ length: windows }, () =>
    mergeMinutes(Array.from({ length: 5 }, () => simulatedMinute(random, rpm, 1, shape))),
  );

const judge = (samples: readonly SeriesWindow[], newest: readonly SeriesWindow[]) => {
  const recent = newestSpans(newest);
  return evaluateAnomaly(anomaly, [{ key: svc, current: recent.at(-1), samples, recent }], thursday2300)[0]!;
};

/** Minutes from the first slow minute to the first breaching evaluation (0: never within `limit`). */
function delay(random: () => number, rpm: number, factor: number, limit: number) {
  const samples = baseline(random, rpm);
  const newest = Array.from({ length: 5 }, () => simulatedMinute(random, rpm));
  for (let t = 1; t <= limit; t++) {
    newest.shift();
    newest.push(simulatedMinute(random, rpm, factor));
    if (judge(samples, newest).breaching) return t;
  }
  return 0;
}

/**
 * Minutes from the first slow minute to the alert (the second breaching evaluation in a row, as `for: 2m` fires;
 * 0: not within `limit`).
 */
function firingMinute(random: () => number, rpm: number, factor: number, limit: number, windows: number) {
  const samples = baseline(random, rpm, windows);
  const newest = Array.from({ length: 5 }, () => simulatedMinute(random, rpm));
  let before = false;
  for (let t = 1; t <= limit; t++) {
    newest.shift();
    newest.push(simulatedMinute(random, rpm, factor));
    const now = judge(samples, newest).breaching;
    if (now && before) return t;
    before = now;
  }
  return 0;
}

describe('anomaly rules on the latency of small services', () => {
  it('judge a quiet series under 50 requests a window and raise no p95 alert (fresh baseline each minute)', () => {
    let breaching = 0;
    let judged = 0;
    for (const [seed, rpm] of [
      [31, 0.5],
      [32, 2],
      [33, 5],
      [34, 7],
      [35, 9],
    ] as const) {
      const random = buildSeededRandom(seed);
      const pool = Array.from({ length: 4 }, () => baseline(random, rpm)).flat();
      const newest = Array.from({ length: 5 }, () => simulatedMinute(random, rpm));
      for (let t = 0; t < 400; t++) {
        newest.shift();
        newest.push(simulatedMinute(random, rpm));
        const samples = Array.from({ length: 10 }, () => pool[Math.floor(random() * pool.length)]!);
        const o = judge(samples, newest);
        if (!o.insufficient) judged++;
        if (o.breaching) breaching++;
      }
    }
    // 2,000 minutes; the window rule judged none of them (every window is under 50 requests).
    expect(judged).toBeGreaterThan(1500);
    expect(breaching).toBe(0);
  });

  // Three thresholds (p90, p95, p99) each at alpha / 3 (ADR 0134): the p90's larger usual share must not let a
  // wider latency spread (sigma 0.7, the scenario's reports service) or a slightly slower night page.
  const quietBreaches = (cases: readonly (readonly [number, number, LatencyShape, number])[]) => {
    let breaching = 0;
    let judged = 0;
    for (const [seed, rpm, shape, factor] of cases) {
      const random = buildSeededRandom(seed);
      const pool = Array.from({ length: 4 }, () => baseline(random, rpm, 10, shape)).flat();
      const newest = Array.from({ length: 5 }, () => simulatedMinute(random, rpm, factor, shape));
      for (let t = 0; t < 1000; t++) {
        newest.shift();
        newest.push(simulatedMinute(random, rpm, factor, shape));
        const samples = Array.from({ length: 8 }, () => pool[Math.floor(random() * pool.length)]!);
        const o = judge(samples, newest);
        if (!o.insufficient) judged++;
        if (o.breaching) breaching++;
      }
    }
    return { breaching, judged };
  };
  const reports: LatencyShape = { key: svc, medianMs: 900, sigma: 0.7 };

  it('stay quiet on a heavy-tailed small service (sigma 0.7, 3 and 8 req/min: 2,000 minutes, no breach)', () => {
    const { breaching, judged } = quietBreaches([
      [36, 3, reports, 1],
      [37, 8, reports, 1],
    ]);
    expect(judged).toBeGreaterThan(1800);
    expect(breaching).toBe(0);
  });

  it('stay quiet on a night merely 20% slower than its baseline (5 and 9 req/min: 2,000 minutes, no breach)', () => {
    const { breaching, judged } = quietBreaches([
      [38, 5, paymentsShape, 1.2],
      [39, 9, paymentsShape, 1.2],
    ]);
    expect(judged).toBeGreaterThan(1800);
    expect(breaching).toBe(0);
  });

  it('fire on latencies tripled at 7 req/min within 3 minutes in >= 90% of 150 fixed seeds, within 4 in 148', () => {
    // Thursday 23:00 has eight baseline windows (four weekdays, four weeks), as seed 8's shift in the bench. An
    // alert fires at the second breaching minute in a row (`for: 2m`), so "within 3" is breaching at minutes 2
    // and 3. Measured over seeds 5000-5999 (load ~20): within 2 / 3 / 4 / 5 minutes 36.3% / 88.3% / 98.9% /
    // 100%; with the p95 alone (before ADR 0134) 33.5% / 85.1% / 97.6% / 99.6%. On these 150 seeds: 137 within
    // 3 (the p95 alone: 130, which fails here), 149 within 4 (148).
    const firing = Array.from({ length: 150 }, (_, i) =>
      firingMinute(buildSeededRandom(5000 + i), 7, 3, 6, 8),
    );
    expect(firing.filter((t) => t > 0 && t <= 3).length).toBeGreaterThanOrEqual(135);
    expect(firing.filter((t) => t > 0 && t <= 4).length).toBeGreaterThanOrEqual(148);
    expect(firing.every((t) => t >= 2)).toBe(true);
  });

  it('catch a x4 shift at 2 req/min within the window, not on its first minute`s two requests', () => {
    const delays = Array.from({ length: 10 }, (_, i) => delay(buildSeededRandom(60 + i), 2, 4, 5));
    expect(delays.every((d) => d >= 2 && d <= 5)).toBe(true);
  });

  it('explain the pooled baseline and the slow requests', () => {
    const random = buildSeededRandom(70);
    const samples = baseline(random, 7);
    const newest = Array.from({ length: 5 }, () => simulatedMinute(random, 7, 3));
    const o = judge(samples, newest);
    expect(o.breaching).toBe(true);
    expect(o.explanation).toMatch(
      /^p95 latency \d+ ms vs usual p95 \d+ ms for Thursday 23:00 \(10 samples, \d+ requests pooled\); \d+ of \d+ requests in the last (minute|\d min) \(\d+%\) slower than the usual p(90|95|99) \d+ ms \(usually \d+%\)$/,
    );
  });

  it('keep learning while the pooled baseline holds under 20 latencies', () => {
    const random = buildSeededRandom(71);
    const samples = Array.from({ length: 4 }, () => mergeMinutes([simulatedMinute(random, 3)]));
    const newest = Array.from({ length: 5 }, () => simulatedMinute(random, 3, 5));
    expect(samples.reduce((n, s) => n + s.requests, 0)).toBeLessThan(20);
    expect(judge(samples, newest).insufficient).toBe(true);
  });
});
