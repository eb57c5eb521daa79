import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { buildSeededRandom } from '../../domain/seeded-random.js';
import { mergeMinutes, newestSpans, simulatedMinute } from '../testing/simulated-minutes.js';
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

/** Ten baseline windows of five usual minutes each at `rpm`. */
const baseline = (random: () => number, rpm: number) =>
  Array.from({ length: 10 }, () =>
    mergeMinutes(Array.from({ length: 5 }, () => simulatedMinute(random, rpm))),
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

  it('catch latencies tripled at 7 req/min by the second minute in most of ten seeds, the fourth in all', () => {
    const delays = Array.from({ length: 10 }, (_, i) => delay(buildSeededRandom(40 + i), 7, 3, 5));
    // About 5 of a minute's 7 requests pass the usual p95 at x3 (~7% usual share from ~350 pooled latencies):
    // one minute is 1e-4 to 1e-6, two are far past 1e-6. A seed whose shifted minutes bring 9, 3 and 4 requests,
    // half of them slow, needs a fourth.
    expect(delays.every((d) => d >= 1 && d <= 4)).toBe(true);
    expect(delays.filter((d) => d <= 2).length).toBeGreaterThanOrEqual(8);
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
      /^p95 latency \d+ ms vs usual p95 \d+ ms for Thursday 23:00 \(10 samples, \d+ requests pooled\); \d+ of \d+ requests in the last (minute|\d min) \(\d+%\) slower than the usual p95 \d+ ms \(usually \d+%\)$/,
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
