import { parseDurationMs, type AnomalySpec } from '../../../crds/gravix-alert-rule-spec.js';
import { errorRateBounds, formatMetric } from './evaluate-threshold.js';
import type { Observation } from './observation.js';
import {
  buildBaseline,
  describeTimeOfWeek,
  minBaselineSamples,
  sensitivityFactor,
  type Baseline,
} from './seasonal-baseline.js';
import {
  errorRatePct,
  latencyCount,
  percentileMs,
  seriesId,
  slowRequests,
  type SeriesKey,
  type SeriesWindow,
} from './series-window.js';
import { latencyShift, shiftLogAlpha } from './latency-shift.js';
import { smallLatencyShift } from './small-latency.js';
import { describeLevel, recentLevel, type LevelInput, type RecentLevel } from './recent-level.js';
import { dropLogAlpha, suddenDrop, type DropVerdict } from './traffic-drop.js';
import { describeBurst, errorBurst, usualErrorPct } from './error-burst.js';

type Metric = AnomalySpec['metrics'][number];

export interface AnomalyInput {
  key: SeriesKey;
  current: SeriesWindow | undefined;
  /** The same window at each baseline offset that had data (see baselineOffsets). */
  samples: readonly SeriesWindow[];
  /**
   * The newest k minutes, k = 1..window minutes (index k-1; undefined: no requests), for the minute-by-minute
   * traffic-drop (traffic-drop.ts) and latency-shift (latency-shift.ts) tests; absent, both judge the whole
   * window only.
   */
  recent?: readonly (SeriesWindow | undefined)[];
  /** Requests of the hours before the window, now and at each baseline offset (recent-level.ts); absent: not read. */
  level?: LevelInput;
}

function value(metric: Metric, w: SeriesWindow, windowMinutes: number): number | null {
  if (metric === 'error_rate') return errorRatePct(w);
  if (metric === 'throughput') return w.requests / windowMinutes;
  return percentileMs(w, 'p95');
}

/**
 * The smallest spread the band may have: a baseline of identical samples (MAD 0) would otherwise flag any
 * change. Error rates get the binomial noise of the current volume, throughput Poisson noise, latency 10%.
 */
function spreadFloor(metric: Metric, b: Baseline, requests: number, windowMinutes: number): number {
  if (metric === 'error_rate') {
    const p = Math.min(Math.max(b.median / 100, 0.001), 0.999);
    // 0.25 points: the judged value is already the window's Wilson lower bound, which carries its own noise.
    // With 0.5 a 5% burst needed four minutes to clear a band 2.25 points wide (bench/README.md).
    return Math.max(0.25, 100 * Math.sqrt((p * (1 - p)) / Math.max(requests, 1)));
  }
  if (metric === 'throughput') return Math.max(0.1 * b.median, Math.sqrt(b.median / windowMinutes));
  return Math.max(0.1 * b.median, 1);
}

/**
 * Only the harmful direction alerts: less traffic, more errors. The error rate is judged by its Wilson lower
 * bound, not the point value: 2 errors in 60 requests at night (3.3%) would otherwise leave a band learned from
 * whole days. p95 does not use the band (slowShare).
 */
function leavesBand(
  metric: Metric,
  now: number,
  current: SeriesWindow | undefined,
  band: { low: number; high: number; median: number },
): boolean {
  if (metric === 'throughput') return now < band.low && now < 0.7 * band.median;
  const sure = current ? errorRateBounds(current.errors5xx, current.requests).low : now;
  return sure > band.high && sure > 1.2 * band.median;
}

interface Finding {
  metric: Metric;
  text: string;
  anomalous: boolean;
}

const names: Record<Metric, string> = {
  error_rate: 'error rate',
  p95: 'p95 latency',
  throughput: 'throughput',
};

/** How many times its usual share of requests must be slower than the usual p95, per sensitivity. */
export const slowShareFactor = { low: 3, medium: 2, high: 1.5 } as const;

const shareSlower = (w: SeriesWindow, ms: number) =>
  (100 * slowRequests(w, ms)) / Math.max(1, latencyCount(w));

/**
 * A latency shift seen as a share (latency-shift.ts): the requests of the newest 1..5 minutes slower than the
 * usual p95 (the baseline's median p95), by their binomial tail at the share the baseline windows themselves had
 * (about 5%; more where few requests make each window's p95 a low estimate). Every slow request counts, so the
 * first slow minute can show a shift the window's p95 needs most of the window for. The share must also clear
 * the baseline's own band of shares (median + k x spread) and `slowShareFactor` x the usual share, so a day that
 * is merely slower than the median, or an error of a point in the usual share at a busy hour, is not a shift.
 */
function slowShare(
  spec: AnomalySpec,
  input: AnomalyInput,
  samples: readonly SeriesWindow[],
  usualP95: number,
) {
  const shares = buildBaseline(samples.map((s) => shareSlower(s, usualP95)));
  if (!input.current || !shares) return undefined;
  const usual = Math.max(5, shares.median);
  const floor = Math.max(
    usual * slowShareFactor[spec.sensitivity],
    shares.median + sensitivityFactor[spec.sensitivity] * shares.spread,
  );
  const spans = (input.recent ?? [input.current]).map((w) => ({
    latencies: w ? latencyCount(w) : 0,
    slow: w ? slowRequests(w, usualP95) : 0,
  }));
  const verdict = latencyShift(spans, usual / 100, floor / 100, shiftLogAlpha[spec.sensitivity]);
  return verdict && { ...verdict, usual };
}

/** No window at all is no traffic for throughput, and nothing to judge for the rest. */
function currentValue(metric: Metric, current: SeriesWindow | undefined, minutes: number): number | null {
  if (!current) return metric === 'throughput' ? 0 : null;
  return value(metric, current, minutes);
}

/**
 * The band: median +- k x spread of the seasonal baseline. Throughput alone is scaled by the recent level (ADR
 * 0117: a day at 60% of its level lowers what is expected of it; rates and latency do not scale with traffic), and
 * only downwards: the high edge stays the seasonal one (a drop test never judges it).
 */
function band(
  spec: AnomalySpec,
  metric: Metric,
  seasonal: Baseline,
  level: RecentLevel | undefined,
  requests: number,
) {
  const minutes = parseDurationMs(spec.window) / 60_000;
  const k = sensitivityFactor[spec.sensitivity];
  const scale = level?.factor ?? 1;
  const baseline = { ...seasonal, median: scale * seasonal.median, spread: scale * seasonal.spread };
  const spreadOf = (b: Baseline) => Math.max(b.spread, spreadFloor(metric, b, requests, minutes));
  return {
    median: baseline.median,
    low: Math.max(0, baseline.median - k * spreadOf(baseline)),
    high: seasonal.median + k * spreadOf(seasonal),
  };
}

function judge(spec: AnomalySpec, metric: Metric, input: AnomalyInput, at: number): Finding | undefined {
  const minutes = parseDurationMs(spec.window) / 60_000;
  const current = input.current;
  const judged = input.samples.filter((s) => metric === 'throughput' || s.requests >= spec.minRequests);
  const samples = judged.map((s) => value(metric, s, minutes)).filter((v): v is number => v !== null);
  const baseline = buildBaseline(samples);
  if (!baseline) return undefined;
  const requests = current?.requests ?? 0;
  // Rates and percentiles of a handful of requests are noise; throughput is judged at any volume.
  if (metric !== 'throughput' && requests < spec.minRequests) return undefined;
  const now = currentValue(metric, current, minutes);
  if (now === null) return undefined;
  const level = metric === 'throughput' ? recentLevel(spec.recentLevel, input.level) : undefined;
  const { low, high, median } = band(spec, metric, baseline, level, requests);
  // Only the harmful direction alerts: more errors, slower responses, less traffic.
  const outside = metric !== 'p95' && leavesBand(metric, now, current, { low, high, median });
  const slow = metric === 'p95' ? slowShare(spec, input, judged, median) : undefined;
  const minute = minuteEvidence(spec, input, judged, { metric, outside, low, high, median }, level);
  const show = (v: number) => formatMetric(metric, v);
  const text =
    `${names[metric]} ${show(now)} vs expected ${show(low)}–${show(high)} ` +
    `for ${describeTimeOfWeek(at)} (${baseline.samples} samples)${describeSlowShare(slow, show(median))}` +
    describeLevel(level, spec.recentLevel.span) +
    minute.text;
  // p95 is judged by its slow share alone: the band on the window's p95 tests the same shift with less power and,
  // at a few dozen requests, left it on a chance cluster of slow ones (ADR 0103); it stays in the explanation.
  const anomalous = metric === 'p95' ? slow !== undefined : outside || minute.found;
  return { metric, text, anomalous };
}

/**
 * p95 of a series under `minRequests` in the window (or with fewer than three baseline windows that large): the
 * slow requests of the newest minutes against the pooled baseline's p90, p95 and p99 (small-latency.ts). Rates of
 * a handful of requests stay unjudged; every request turning slow is evidence at any volume.
 */
function judgeSmallLatency(spec: AnomalySpec, input: AnomalyInput, at: number): Finding | undefined {
  const spans = input.recent ?? [input.current];
  const factor = slowShareFactor[spec.sensitivity];
  const verdict = smallLatencyShift(spec.sensitivity, factor, input.samples, spans);
  const now = input.current ? percentileMs(input.current, 'p95') : null;
  if (!verdict || now === null) return undefined;
  const show = (v: number) => formatMetric('p95', v);
  const shift = verdict.shift;
  const slow = shift && { ...shift, usual: shift.usualShare };
  const text =
    `p95 latency ${show(now)} vs usual p95 ${show(verdict.usualP95)} for ${describeTimeOfWeek(at)} ` +
    `(${verdict.samples} samples, ${verdict.pooled} requests pooled)` +
    (shift ? describeSlowShare(slow, show(shift.thresholdMs), `p${Math.round(100 * shift.quantile)}`) : '');
  return { metric: 'p95', text, anomalous: shift !== undefined };
}

/** Under `minRequests` now, or fewer than three baseline windows that large: the window's p95 rule cannot judge. */
const tooSmallForWindow = (spec: AnomalySpec, input: AnomalyInput) =>
  (input.current?.requests ?? 0) < spec.minRequests ||
  input.samples.filter((s) => s.requests >= spec.minRequests).length < minBaselineSamples;

/** p95 of a series too small for the window is judged on its pooled baseline instead (ADR 0110). */
function judgeMetric(spec: AnomalySpec, metric: Metric, input: AnomalyInput, at: number) {
  if (metric === 'p95' && tooSmallForWindow(spec, input)) return judgeSmallLatency(spec, input, at);
  return judge(spec, metric, input, at);
}

/**
 * The newest minutes alone can already prove a drop the 5-minute window has not left its band for yet; the same
 * guards (under the band's low edge and 70% of the median) keep a merely quiet minute from counting. With the
 * recent level known (ADR 0117) the median is already this day's level, so the band's width, which is mostly the
 * spread of levels between days, no longer guards: 70% of the level-scaled median does, and a sudden drop of 40%
 * at a busy hour is improbable within a minute or two instead of never leaving a band 45% wide.
 */
function minuteDrop(
  spec: AnomalySpec,
  input: AnomalyInput,
  window: { metric: Metric; outside: boolean; low: number; median: number },
  levelKnown: boolean,
) {
  if (window.metric !== 'throughput' || window.outside || !input.recent) return undefined;
  const ceiling = levelKnown ? 0.7 * window.median : Math.min(window.low, 0.7 * window.median);
  const requests = input.recent.map((w) => w?.requests ?? 0);
  return suddenDrop(requests, window.median, ceiling, dropLogAlpha[spec.sensitivity]);
}

/**
 * The newest minutes' 5xx can prove a burst the 5-minute window's rate has not left its band for yet (ADR 0127):
 * the spans' share must pass the same edges the window's must (the band's high edge and 1.2x the median), and be
 * improbable at the baseline's pooled usual share (error-burst.ts).
 */
function minuteBurst(
  spec: AnomalySpec,
  input: AnomalyInput,
  samples: readonly SeriesWindow[],
  window: { metric: Metric; outside: boolean; high: number; median: number },
) {
  if (window.metric !== 'error_rate' || window.outside || !input.recent) return undefined;
  const usual = usualErrorPct(samples, window.high);
  const floor = Math.max(window.high, 1.2 * window.median);
  return errorBurst(input.recent, usual, floor, shiftLogAlpha[spec.sensitivity]);
}

/** What the newest minutes prove beyond the window: a traffic drop or a 5xx burst, and its explanation. */
function minuteEvidence(
  spec: AnomalySpec,
  input: AnomalyInput,
  samples: readonly SeriesWindow[],
  window: { metric: Metric; outside: boolean; low: number; high: number; median: number },
  level: RecentLevel | undefined,
) {
  const drop = minuteDrop(spec, input, window, level !== undefined);
  const burst = minuteBurst(spec, input, samples, window);
  return {
    found: drop !== undefined || burst !== undefined,
    text: describeDrop(drop) + describeBurst(burst),
  };
}

function describeDrop(drop: DropVerdict | undefined): string {
  if (!drop) return '';
  const span = drop.minutes === 1 ? 'the last minute' : `the last ${drop.minutes} min`;
  return `; ${drop.requests} requests in ${span} where ~${Math.round(drop.expected)} are usual`;
}

function describeSlowShare(slow: ReturnType<typeof slowShare>, usualMs: string, quantile = 'p95'): string {
  if (!slow) return '';
  const span = slow.minutes === 1 ? 'the last minute' : `the last ${slow.minutes} min`;
  const share = (100 * slow.slow) / slow.latencies;
  return (
    `; ${slow.slow} of ${slow.latencies} requests in ${span} (${share.toFixed(0)}%) slower than the usual ` +
    `${quantile} ${usualMs} (usually ${slow.usual.toFixed(0)}%)`
  );
}

/** One observation per series: anomalous when any watched metric leaves its seasonal band in the harmful way. */
export function evaluateAnomaly(
  spec: AnomalySpec,
  inputs: readonly AnomalyInput[],
  at: number,
): Observation[] {
  return inputs.map((input) => {
    const findings = spec.metrics
      .map((m) => judgeMetric(spec, m, input, at))
      .filter((f): f is Finding => f !== undefined);
    const bad = findings.filter((f) => f.anomalous);
    const shown = bad[0] ?? findings[0];
    return {
      seriesId: seriesId(input.key),
      key: input.key,
      breaching: bad.length > 0,
      insufficient: findings.length === 0,
      value: shown ? shown.text.split(' vs ')[0]! : 'learning',
      expected: shown ? shown.text.split(' vs ')[1]! : 'fewer than 3 baseline samples',
      explanation:
        bad.length > 0 ? bad.map((f) => f.text).join('; ') : (shown?.text ?? 'baseline still learning'),
    };
  });
}
