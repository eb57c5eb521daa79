import { parseDurationMs, type ThresholdSpec } from '../../../crds/gravix-alert-rule-spec.js';
import { formatMs, formatPct, formatRate, type Observation } from './observation.js';
import { errorRatePct, percentileMs, seriesId, type SeriesWindow } from './series-window.js';

function measure(spec: ThresholdSpec, w: SeriesWindow): number | null {
  if (spec.metric === 'error_rate') return errorRatePct(w);
  if (spec.metric === 'throughput') return w.requests / (parseDurationMs(spec.window) / 60_000);
  return percentileMs(w, spec.metric);
}

export function formatMetric(metric: string, value: number): string {
  if (metric === 'error_rate') return formatPct(value);
  if (metric === 'throughput') return formatRate(value);
  return formatMs(value);
}

const metricName: Record<ThresholdSpec['metric'], string> = {
  error_rate: 'error rate',
  p50: 'p50 latency',
  p95: 'p95 latency',
  p99: 'p99 latency',
  throughput: 'throughput',
};

/** One-sided 95%: how sure an error rate must be of being on the wrong side of the threshold. */
const z = 1.645;

/** The Wilson score interval of errors/requests, in percent. */
export function errorRateBounds(errors: number, requests: number): { low: number; high: number } {
  const p = errors / requests;
  const z2 = z * z;
  const centre = p + z2 / (2 * requests);
  const margin = z * Math.sqrt((p * (1 - p)) / requests + z2 / (4 * requests * requests));
  const scale = 100 / (1 + z2 / requests);
  return { low: Math.max(0, (centre - margin) * scale), high: Math.min(100, (centre + margin) * scale) };
}

/**
 * An error rate breaches only when its confidence bound is past the threshold: 2 errors in 23 requests at night
 * (8.7%) say little about a 5% threshold, 30 in 300 do. Latency and throughput compare the value itself.
 */
function breaches(spec: ThresholdSpec, value: number, w: SeriesWindow): boolean {
  if (spec.metric !== 'error_rate') return spec.op === 'above' ? value > spec.value : value < spec.value;
  const { low, high } = errorRateBounds(w.errors5xx, w.requests);
  return spec.op === 'above' ? low > spec.value : high < spec.value;
}

/**
 * One observation per series over the rule's window. A window under minRequests is `insufficient` (kept as it
 * was), except for throughput-below rules, where little traffic is the very thing they look for.
 */
export function evaluateThreshold(spec: ThresholdSpec, windows: readonly SeriesWindow[]): Observation[] {
  return windows.map((w) => {
    const key = { service: w.service, method: w.method, path: w.path };
    const lowTrafficIsTheSignal = spec.metric === 'throughput' && spec.op === 'below';
    const value = measure(spec, w);
    const expected = `${spec.op === 'above' ? '>' : '<'} ${formatMetric(spec.metric, spec.value)}`;
    const base = { seriesId: seriesId(key), key, expected };
    if ((w.requests < spec.minRequests && !lowTrafficIsTheSignal) || value === null)
      return {
        ...base,
        breaching: false,
        insufficient: true,
        value: value === null ? 'no data' : formatMetric(spec.metric, value),
        explanation: `${w.requests} requests in ${spec.window}, fewer than the ${spec.minRequests} the rule needs`,
      };
    const breaching = breaches(spec, value, w);
    const shown = formatMetric(spec.metric, value);
    return {
      ...base,
      breaching,
      value: shown,
      explanation: `${metricName[spec.metric]} ${shown} over the last ${spec.window} (threshold ${expected})`,
    };
  });
}
