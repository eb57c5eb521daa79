import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { makeWindow } from '../testing/alert-fixtures.js';
import { evaluateAnomaly } from './evaluate-anomaly.js';
import { evaluateSilence } from './evaluate-silence.js';
import { evaluateSlo, type SloWindowName } from './evaluate-slo.js';
import { errorRateBounds, evaluateThreshold } from './evaluate-threshold.js';
import { baselineOffsets, buildBaseline, describeTimeOfWeek } from './seasonal-baseline.js';
import { globMatches, seriesOf, slowRequests, type SeriesWindow } from './series-window.js';

const spec = <K extends 'threshold' | 'slo' | 'anomaly' | 'silence'>(
  kind: K,
  block: Record<string, unknown>,
) => parseNamedAlertRule({ name: 'r', kind, [kind]: block })[kind]!;
const tuesday1400 = Date.UTC(2026, 11, 1, 14, 0);
const svc = { service: 'checkout' };

describe('threshold rules', () => {
  it('breach on the error rate of the window and say by how much', () => {
    const [o] = evaluateThreshold(spec('threshold', { metric: 'error_rate', value: 5 }), [
      makeWindow(svc, 200, 20),
    ]);
    expect(o).toMatchObject({ breaching: true, value: '10.0%', expected: '> 5.00%' });
    expect(o?.explanation).toBe('error rate 10.0% over the last 5m (threshold > 5.00%)');
  });

  it('breach on an error rate only when its 95% confidence bound is past the threshold', () => {
    const rule = spec('threshold', { metric: 'error_rate', value: 5 });
    // 8.7% of a quiet night's 23 requests could be a 1% service's bad luck; 10% of 300 cannot.
    expect(evaluateThreshold(rule, [makeWindow(svc, 23, 2)])[0]).toMatchObject({
      breaching: false,
      value: '8.70%',
    });
    expect(evaluateThreshold(rule, [makeWindow(svc, 300, 30)])[0]?.breaching).toBe(true);
    expect(errorRateBounds(30, 300).low).toBeCloseTo(7.46, 1);
    const below = spec('threshold', { metric: 'error_rate', op: 'below', value: 5 });
    expect(evaluateThreshold(below, [makeWindow(svc, 2000, 20)])[0]?.breaching).toBe(true);
    expect(evaluateThreshold(below, [makeWindow(svc, 40, 1)])[0]?.breaching).toBe(false);
  });

  it('do not judge a window under the minimum request volume', () => {
    const [o] = evaluateThreshold(spec('threshold', { metric: 'error_rate', value: 5 }), [
      makeWindow(svc, 10, 10),
    ]);
    expect(o).toMatchObject({ breaching: false, insufficient: true });
  });

  it('read p95 from the merged histogram and throughput per minute', () => {
    const lat = [...Array.from({ length: 95 }, () => 20), ...Array.from({ length: 5 }, () => 900)];
    const [p95] = evaluateThreshold(spec('threshold', { metric: 'p95', value: 300 }), [
      makeWindow(svc, 100, 0, lat),
    ]);
    expect(p95?.breaching).toBe(false);
    const [p99] = evaluateThreshold(spec('threshold', { metric: 'p99', value: 300 }), [
      makeWindow(svc, 100, 0, lat),
    ]);
    expect(p99?.breaching).toBe(true);
    const below = spec('threshold', { metric: 'throughput', op: 'below', value: 10 });
    expect(evaluateThreshold(below, [makeWindow(svc, 5, 0)])[0]).toMatchObject({
      breaching: true,
      value: '1.0 req/min',
    });
  });
});

describe('SLO burn rates', () => {
  const windows = (counts: Record<SloWindowName, [number, number]>) =>
    new Map(
      Object.entries(counts).map(([name, [req, bad]]) => [
        name as SloWindowName,
        new Map([['checkout * *', makeWindow(svc, req, bad)]]),
      ]),
    );
  const keys = new Map([['checkout * *', svc]]);
  const slo = spec('slo', { objective: 99.9 });

  it('pages when the 1h and 5m windows both burn at 14.4x', () => {
    const w = windows({
      '5m': [1000, 20],
      '30m': [6000, 100],
      '1h': [12000, 180],
      '6h': [72000, 200],
      period: [8e6, 240],
    });
    const [o] = evaluateSlo(slo, w, keys);
    expect(o).toMatchObject({ breaching: true, severity: 'page', value: '15.0x burn' });
    expect(o?.budgetRemainingPct).toBeCloseTo(97, 5);
  });

  it('does not page on a burn the short window shows is over', () => {
    const w = windows({
      '5m': [1000, 0],
      '30m': [6000, 0],
      '1h': [12000, 180],
      '6h': [72000, 200],
      period: [1e7, 300],
    });
    expect(evaluateSlo(slo, w, keys)[0]?.breaching).toBe(false);
  });

  it('opens a ticket on a slow 6x burn over 6h and 30m', () => {
    const w = windows({
      '5m': [1000, 5],
      '30m': [6000, 40],
      '1h': [12000, 80],
      '6h': [72000, 500],
      period: [8e6, 9000],
    });
    expect(evaluateSlo(slo, w, keys)[0]).toMatchObject({ breaching: true, severity: 'ticket' });
  });

  it("judges a quiet hour's burn against the period's average traffic: one error among four requests is not a page", () => {
    // The bench's reports service at 00:13: 250x as a rate, 0.3% of an hour's average share of the month.
    const night = windows({
      '5m': [1, 1],
      '30m': [2, 1],
      '1h': [4, 1],
      '6h': [10, 1],
      period: [300_000, 60],
    });
    expect(evaluateSlo(slo, night, keys)[0]).toMatchObject({ breaching: false, value: '2.4x burn' });
    // Thirty errors in that hour are 7% of the month's budget: that pages even at night.
    const burst = windows({
      '5m': [4, 4],
      '30m': [4, 4],
      '1h': [40, 30],
      '6h': [60, 30],
      period: [300_000, 90],
    });
    expect(evaluateSlo(slo, burst, keys)[0]).toMatchObject({ breaching: true, severity: 'page' });
  });

  it('counts slow requests from histogram buckets for a latency SLO', () => {
    const w = makeWindow(svc, 100, 0, [
      ...Array.from({ length: 90 }, () => 100),
      ...Array.from({ length: 10 }, () => 400),
    ]);
    expect(slowRequests(w, 300)).toBe(10);
    expect(slowRequests(w, 100)).toBe(10); // requests at exactly the threshold are good
    expect(slowRequests(w, 500)).toBe(0);
  });
});

describe('seasonal baseline', () => {
  it('samples the same weekday kind over the last days and the same time of week over the last weeks', () => {
    const days = baselineOffsets(tuesday1400, 2).map((o) => o / 86_400_000);
    expect(days).toEqual([1, 4, 5, 6, 7, 14]); // Mon, Fri, Thu, Wed; not Sat/Sun
  });

  it('is not dragged by one incident among the samples', () => {
    const b = buildBaseline([0.5, 0.6, 0.4, 0.5, 30]);
    expect(b?.median).toBe(0.5);
    expect(b?.spread).toBeCloseTo(0.148, 2);
    expect(buildBaseline([1, 2])).toBeUndefined();
  });

  it('names the time of week in UTC', () => {
    expect(describeTimeOfWeek(tuesday1400)).toBe('Tuesday 14:00');
  });
});

describe('anomaly rules', () => {
  const normal = (errors: number, requests = 1000, latency = 50) =>
    makeWindow(
      svc,
      requests,
      errors,
      Array.from({ length: 100 }, (_, i) => latency + (i % 10)),
    );
  const samples = [normal(5), normal(6), normal(4), normal(5), normal(7)];
  const anomaly = spec('anomaly', {});

  it('explains an error-rate jump against the expected band for this time of week', () => {
    const [o] = evaluateAnomaly(anomaly, [{ key: svc, current: normal(41), samples }], tuesday1400);
    expect(o?.breaching).toBe(true);
    expect(o?.explanation).toMatch(
      /^error rate 4\.10% vs expected 0\.00%–1\.63% for Tuesday 14:00 \(5 samples\)$/,
    );
  });

  it('stays quiet on a normal window and on improvements', () => {
    const [same] = evaluateAnomaly(anomaly, [{ key: svc, current: normal(6), samples }], tuesday1400);
    const [better] = evaluateAnomaly(
      anomaly,
      [{ key: svc, current: normal(0, 3000, 20), samples }],
      tuesday1400,
    );
    expect([same?.breaching, better?.breaching]).toEqual([false, false]);
  });

  it('flags a traffic drop to 20% and a latency shift', () => {
    const [drop] = evaluateAnomaly(anomaly, [{ key: svc, current: normal(1, 200), samples }], tuesday1400);
    expect(drop?.explanation).toMatch(/^throughput 40 req\/min vs expected/);
    const [slow] = evaluateAnomaly(
      anomaly,
      [{ key: svc, current: normal(5, 1000, 150), samples }],
      tuesday1400,
    );
    expect(slow?.explanation).toMatch(/^p95 latency 159 ms vs expected/);
  });

  it('flags a silent newest minute by its Poisson tail before the 5-minute window leaves its band', () => {
    // Four usual minutes (200 each) and a silent one: 160 req/min over the window is inside the band (low 110).
    const current = normal(0, 800);
    const [window] = evaluateAnomaly(anomaly, [{ key: svc, current, samples }], tuesday1400);
    expect(window?.breaching).toBe(false);
    const recent = [0, 200, 400, 600, 800].map((n) => normal(0, n));
    const [minutes] = evaluateAnomaly(anomaly, [{ key: svc, current, samples, recent }], tuesday1400);
    expect(minutes?.breaching).toBe(true);
    expect(minutes?.explanation).toMatch(
      /^throughput 160 req\/min vs expected .*; 0 requests in the last minute where ~200 are usual$/,
    );
    // A usual newest minute (190 of 200) is no drop.
    const [usual] = evaluateAnomaly(
      anomaly,
      [
        {
          key: svc,
          current: normal(0, 990),
          samples,
          recent: [190, 390, 590, 790, 990].map((n) => normal(0, n)),
        },
      ],
      tuesday1400,
    );
    expect(usual?.breaching).toBe(false);
  });

  it('judges error rate and p95 by their confidence bound: two errors or three slow requests of a quiet night are not an incident', () => {
    const night = (errors: number, slow: number) =>
      makeWindow(svc, 60, errors, [
        ...Array.from({ length: 60 - slow }, (_, i) => 50 + (i % 10)),
        ...Array.from({ length: slow }, () => 400),
      ]);
    const quiet = [night(0, 0), night(0, 0), night(1, 0), night(0, 0), night(0, 0)];
    const judge = (current: SeriesWindow) =>
      evaluateAnomaly(anomaly, [{ key: svc, current, samples: quiet }], tuesday1400)[0]?.breaching;
    // 3.3% errors and a p95 of 400 ms as point values, but 2/60 and 3 slow of 60 are what noise looks like.
    expect(judge(night(2, 0))).toBe(false);
    expect(judge(night(0, 3))).toBe(false);
    // A real burst (12 of 60) and a real shift (every request slower) are not.
    expect(judge(night(12, 0))).toBe(true);
    expect(judge(night(0, 20))).toBe(true);
  });

  it('sees the first minute of a x1.6 latency shift by its slow requests, long before the p95 leaves its band', () => {
    // Lognormal-ish minutes: the usual p95 is ~377 ms; a deploy makes the newest minutes 1.6x slower.
    const minute = (factor: number, seed: number) =>
      Array.from({ length: 38 }, (_, i) => 180 * factor * Math.exp(0.45 * 1.9 * Math.sin(i * 7.3 + seed)));
    // The newest `minutes` of a 5-minute window (minute 4 is the newest), the newest `slowMinutes` of them slow.
    const window = (slowMinutes: number, minutes = 5) =>
      makeWindow(
        svc,
        38 * minutes,
        0,
        [0, 1, 2, 3, 4].slice(5 - minutes).flatMap((m) => minute(m >= 5 - slowMinutes ? 1.6 : 1, m)),
      );
    const usual = [window(0), window(0), window(0), window(0), window(0)];
    const judge = (slowMinutes: number) => {
      const recent = [1, 2, 3, 4, 5].map((k) => window(slowMinutes, k));
      return evaluateAnomaly(
        anomaly,
        [{ key: svc, current: recent[4], samples: usual, recent }],
        tuesday1400,
      )[0];
    };
    expect(judge(0)?.breaching).toBe(false);
    const first = judge(1);
    expect(first?.breaching).toBe(true);
    expect(first?.explanation).toMatch(
      /^p95 latency \d+ ms vs expected .*; \d+ of 38 requests in the last minute \(\d+%\) slower than the usual p95 \d+ ms \(usually \d+%\)$/,
    );
    // Judged on the window alone (no minute reads), one slow minute of five is not enough.
    const windowOnly = evaluateAnomaly(
      anomaly,
      [{ key: svc, current: window(1), samples: usual }],
      tuesday1400,
    );
    expect(windowOnly[0]?.breaching).toBe(false);
  });

  it('says it is learning with fewer than three samples', () => {
    const [o] = evaluateAnomaly(
      anomaly,
      [{ key: svc, current: normal(500), samples: samples.slice(0, 2) }],
      tuesday1400,
    );
    expect(o).toMatchObject({ breaching: false, insufficient: true, value: 'learning' });
  });
});

describe('silence rules', () => {
  const silence = spec('silence', { minutes: 5 });
  it('fires when a service that usually sends traffic at this hour sent none', () => {
    const [o] = evaluateSilence(silence, [{ key: svc, requests: 0, samples: [300, 280, 310] }], tuesday1400);
    expect(o).toMatchObject({
      breaching: true,
      explanation: 'no requests for 5 min; usually ~300 for Tuesday 14:00',
    });
  });
  it('stays quiet for a service that is quiet at this hour anyway', () => {
    const [o] = evaluateSilence(silence, [{ key: svc, requests: 0, samples: [0, 3, 1] }], tuesday1400);
    expect(o?.breaching).toBe(false);
  });
});

describe('selectors', () => {
  it('match globs literally except for *', () => {
    expect(globMatches('/api/*/orders', '/api/v1/orders')).toBe(true);
    expect(globMatches('/api/*/orders', '/api/v1/orders/x')).toBe(false);
    expect(globMatches('a.c', 'abc')).toBe(false);
    expect(globMatches('*-svc', 'pay-svc')).toBe(true);
  });
  it('fan out per endpoint, per service or into one series', () => {
    const row = { service: 'pay', method: 'GET', path: '/a' };
    const sel = (each: string) =>
      parseNamedAlertRule({ name: 'r', kind: 'silence', silence: {}, selector: { each } }).selector;
    expect(seriesOf(sel('endpoint'), row)).toEqual(row);
    expect(seriesOf(sel('service'), row)).toEqual({ service: 'pay' });
    expect(seriesOf(sel('none'), row)).toEqual({});
  });
});
