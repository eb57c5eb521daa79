import { parseDurationMs, type AnomalySpec } from '../../../crds/gravix-alert-rule-spec.js';
import { errorRateBounds, formatMetric } from './evaluate-threshold.js';
import type { Observation } from './observation.js';
import {
  buildBaseline,
  describeTimeOfWeek,
  median,
  sensitivityFactor,
  type Baseline,
} from './seasonal-baseline.js';
import {
  errorRatePct,
  percentileMs,
  quantileLowerBoundMs,
  seriesId,
  slowRequests,
  type SeriesKey,
  type SeriesWindow,
} from './series-window.js';
import { dropLogAlpha, suddenDrop, type DropVerdict } from './traffic-drop.js';

type Metric = AnomalySpec['metrics'][number];

export interface AnomalyInput {
  key: SeriesKey;
  current: SeriesWindow | undefined;
  /** The same window at each baseline offset that had data (see baselineOffsets). */
  samples: readonly SeriesWindow[];
  /**
   * Requests in the newest k minutes, k = 1..window minutes (index k-1), for the minute-by-minute traffic-drop
   * test (traffic-drop.ts); absent, throughput is judged on the whole window only.
   */
  recentRequests?: readonly number[];
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

/** The lower 95% bound of the window's error rate (Wilson) or p95 (order statistic); throughput as is. */
function surelyAbove(metric: Metric, w: SeriesWindow): number {
  if (metric === 'error_rate') return errorRateBounds(w.errors5xx, w.requests).low;
  return quantileLowerBoundMs(w, 0.95) ?? 0;
}

/**
 * Only the harmful direction alerts: less traffic, more errors, slower responses. Error rate and p95 are judged
 * by their confidence bound, not the point value: 2 errors in 60 requests at night (3.3%) or a p95 made of three
 * slow requests would otherwise leave a band learned from whole days.
 */
function leavesBand(
  metric: Metric,
  now: number,
  current: SeriesWindow | undefined,
  band: { low: number; high: number; median: number },
): boolean {
  if (metric === 'throughput') return now < band.low && now < 0.7 * band.median;
  const sure = current ? surelyAbove(metric, current) : now;
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

/** How many times its usual share of requests must surely be slower than the usual p95, per sensitivity. */
export const slowShareFactor = { low: 3, medium: 2, high: 1.5 } as const;
/** Fewer latencies than this in the window and the share is not judged: a handful of slow requests is noise. */
export const slowShareMinLatencies = 100;

const latencyCount = (w: SeriesWindow) => w.latencyZero + w.bucketCount.reduce((a, b) => a + b, 0);
const shareSlower = (w: SeriesWindow, ms: number) =>
  (100 * slowRequests(w, ms)) / Math.max(1, latencyCount(w));

/**
 * A latency shift seen as a share: the requests of the window slower than the usual p95 (the baseline's median
 * p95), judged by the share's Wilson lower bound against the share the baseline windows themselves had (about
 * 5%; more where few requests make each window's p95 a low estimate). Every slow request counts, so the share
 * leaves its usual value while the 5-minute window is still filling with slow minutes; the window's p95 needs most
 * of the window slow to leave a band at least 10% wide (a x1.6 shift took 6 minutes that way, bench/README.md).
 */
function slowShare(
  spec: AnomalySpec,
  current: SeriesWindow | undefined,
  samples: readonly SeriesWindow[],
  usualP95: number,
) {
  if (!current || latencyCount(current) < slowShareMinLatencies) return undefined;
  const usual = Math.max(5, median(samples.map((s) => shareSlower(s, usualP95))));
  const slow = slowRequests(current, usualP95);
  const surely = errorRateBounds(slow, latencyCount(current)).low;
  return {
    share: shareSlower(current, usualP95),
    usual,
    anomalous: surely > usual * slowShareFactor[spec.sensitivity],
  };
}

/** No window at all is no traffic for throughput, and nothing to judge for the rest. */
function currentValue(metric: Metric, current: SeriesWindow | undefined, minutes: number): number | null {
  if (!current) return metric === 'throughput' ? 0 : null;
  return value(metric, current, minutes);
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
  const k = sensitivityFactor[spec.sensitivity];
  const spread = Math.max(baseline.spread, spreadFloor(metric, baseline, requests, minutes));
  const low = Math.max(0, baseline.median - k * spread);
  const high = baseline.median + k * spread;
  // Only the harmful direction alerts: more errors, slower responses, less traffic.
  const outside = leavesBand(metric, now, current, { low, high, median: baseline.median });
  const slow = metric === 'p95' ? slowShare(spec, current, judged, baseline.median) : undefined;
  const drop = minuteDrop(spec, input, { metric, outside, low, median: baseline.median });
  const show = (v: number) => formatMetric(metric, v);
  const text =
    `${names[metric]} ${show(now)} vs expected ${show(low)}–${show(high)} ` +
    `for ${describeTimeOfWeek(at)} (${baseline.samples} samples)${describeSlowShare(slow, show(baseline.median))}` +
    describeDrop(drop);
  return { metric, text, anomalous: [outside, slow?.anomalous, drop !== undefined].some(Boolean) };
}

/**
 * The newest minutes alone can already prove a drop the 5-minute window has not left its band for yet; the same
 * guards (under the band's low edge and 70% of the median) keep a merely quiet minute from counting.
 */
function minuteDrop(
  spec: AnomalySpec,
  input: AnomalyInput,
  window: { metric: Metric; outside: boolean; low: number; median: number },
) {
  if (window.metric !== 'throughput' || window.outside || !input.recentRequests) return undefined;
  const ceiling = Math.min(window.low, 0.7 * window.median);
  return suddenDrop(input.recentRequests, window.median, ceiling, dropLogAlpha[spec.sensitivity]);
}

function describeDrop(drop: DropVerdict | undefined): string {
  if (!drop) return '';
  const span = drop.minutes === 1 ? 'the last minute' : `the last ${drop.minutes} min`;
  return `; ${drop.requests} requests in ${span} where ~${Math.round(drop.expected)} are usual`;
}

function describeSlowShare(slow: ReturnType<typeof slowShare>, usualP95: string): string {
  if (!slow?.anomalous) return '';
  return `; ${slow.share.toFixed(0)}% of requests slower than the usual p95 ${usualP95} (usually ${slow.usual.toFixed(0)}%)`;
}

/** One observation per series: anomalous when any watched metric leaves its seasonal band in the harmful way. */
export function evaluateAnomaly(
  spec: AnomalySpec,
  inputs: readonly AnomalyInput[],
  at: number,
): Observation[] {
  return inputs.map((input) => {
    const findings = spec.metrics
      .map((m) => judge(spec, m, input, at))
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
