import { rollUpMinutes, type MetricsCells } from './hour-metrics.js';
import { MinuteMetricsAggregator, type MinuteMetricsRow } from './minute-metrics.js';

/**
 * One row of service_edges_minute / service_edges_hour (metrics-layout.ts): the calls from one service to
 * another in one minute or hour, with the request tables' measures (counts by status class, latency sum/min/max,
 * the mergeable histogram and its p50/p95/p99), so every percentile of an edge keeps the 1% rule (docs/adr/0085).
 */
export type EdgeMetricsRow = MetricsCells & { startMs: number; caller: string; callee: string };

/** What the aggregator needs from a resolved edge (a RawEdge with its callee named). */
export interface EdgeCall {
  ts: number;
  caller: string;
  callee: string;
  status_code: number;
  latency_ms: number;
  weight?: number;
}

/**
 * An edge is aggregated as an endpoint whose service is the caller and whose path is the callee (the method is
 * empty): the request tables' minute aggregation, sampling weights and rounding rules, with no second copy.
 */
const asEndpointRow = (row: MinuteMetricsRow): EdgeMetricsRow => {
  const { minuteMs, service, method: _method, path, exemplars: _exemplars, ...cells } = row;
  return { startMs: minuteMs, caller: service, callee: path, ...cells };
};

export class EdgeMinutesAggregator {
  private readonly minutes = new MinuteMetricsAggregator();

  add(call: EdgeCall): void {
    this.minutes.add({
      ts: call.ts,
      service: call.caller,
      method: '',
      path: call.callee,
      status_code: call.status_code,
      latency_ms: call.latency_ms,
      ...(call.weight === undefined ? {} : { weight: call.weight }),
    });
  }

  /** (minute, caller, callee) rows so far. */
  get size(): number {
    return this.minutes.size;
  }

  /** Rows sorted by (minute, caller, callee), so the output bytes are deterministic. */
  rows(): EdgeMetricsRow[] {
    return this.minutes.rows().map(asEndpointRow);
  }
}

/** The exact merge of minute (or hour) edge rows into hour rows: counts add, histograms add bucket by bucket. */
export function rollUpEdgesToHours(rows: readonly EdgeMetricsRow[]): EdgeMetricsRow[] {
  const asMinutes: MinuteMetricsRow[] = rows.map(({ startMs, caller, callee, ...cells }) => ({
    minuteMs: startMs,
    service: caller,
    method: '',
    path: callee,
    ...cells,
  }));
  return rollUpMinutes(asMinutes, 'hour', 'endpoint').map(
    ({ startMs, service, method: _m, path, ...cells }) => ({
      startMs,
      caller: service,
      callee: path,
      ...cells,
    }),
  );
}
