import { mergeHistogramRows } from '../../query/domain/merge-summaries.js';
import type { SeriesKey, SeriesWindow } from '../domain/series-window.js';
import { drawNormal, drawPoissonExact } from '../../domain/random-draws.js';
import { makeWindow } from './alert-fixtures.js';

/**
 * Simulated minutes of one series for the anomaly rule's property tests: Poisson request counts and lognormal
 * latencies with a 0.5% x8 tail (the labelled scenario's shape, bench/alerts), histogrammed by the real sketch.
 */

export interface LatencyShape {
  key: SeriesKey;
  medianMs: number;
  sigma: number;
}

/** payments of the scenario: median 180 ms, sigma 0.45. */
export const paymentsShape: LatencyShape = { key: { service: 'payments' }, medianMs: 180, sigma: 0.45 };

/** One minute of `rpm` expected requests, latencies x `factor` (1: usual). */
export function simulatedMinute(
  random: () => number,
  rpm: number,
  factor = 1,
  shape: LatencyShape = paymentsShape,
): SeriesWindow {
  const n = drawPoissonExact(random, rpm);
  const latencies = Array.from(
    { length: n },
    () => shape.medianMs * Math.exp(shape.sigma * drawNormal(random)) * (random() < 0.005 ? 8 : 1) * factor,
  );
  return makeWindow(shape.key, n, 0, latencies);
}

export const mergeMinutes = (minutes: readonly SeriesWindow[], key: SeriesKey = paymentsShape.key) =>
  mergeHistogramRows(minutes.filter((m) => m.requests > 0))[0] ?? makeWindow(key, 0, 0);

/** The newest 1..n minutes as the evaluator reads them (index k-1: the newest k minutes). */
export const newestSpans = (minutes: readonly SeriesWindow[]) =>
  minutes.map((_, k) => mergeMinutes(minutes.slice(minutes.length - 1 - k)));
