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
    const breaching = spec.op === 'above' ? value > spec.value : value < spec.value;
    const shown = formatMetric(spec.metric, value);
    return {
      ...base,
      breaching,
      value: shown,
      explanation: `${metricName[spec.metric]} ${shown} over the last ${spec.window} (threshold ${expected})`,
    };
  });
}
