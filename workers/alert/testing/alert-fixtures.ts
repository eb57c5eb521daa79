import type { NamedAlertRule } from '../../../crds/gravix-alert-rule-spec.js';
import { parseNamedAlertRule } from '../../../crds/gravix-alert-rule.js';
import { LatencySketch } from '../../domain/latency-sketch.js';
import type { SeriesWindow } from '../domain/series-window.js';

/** A rule through the real schema (defaults filled), with overrides. */
export function makeRule(overrides: Record<string, unknown> = {}): NamedAlertRule {
  return parseNamedAlertRule({
    name: 'errors',
    kind: 'threshold',
    selector: { tenant: 't1', service: '*', each: 'service' },
    threshold: { metric: 'error_rate', value: 5 },
    ...overrides,
  });
}

/** A series window from plain counts and latencies, histogrammed by the real sketch. */
export function makeWindow(
  key: { service?: string; method?: string; path?: string },
  requests: number,
  errors5xx: number,
  latencies: readonly number[] = [],
): SeriesWindow {
  const sketch = new LatencySketch();
  for (const l of latencies) sketch.add(l);
  const b = sketch.toBuckets();
  return {
    ...key,
    requests,
    errors5xx,
    errors4xx: 0,
    status1xx: 0,
    status2xx: requests - errors5xx,
    status3xx: 0,
    statusUnknown: 0,
    estimatedRequests: 0,
    latencyZero: b.zeroCount,
    latencyMax: latencies.length ? Math.max(...latencies) : null,
    bucketIndex: b.indexes,
    bucketCount: b.counts,
  };
}
