import { MinuteMetricsAggregator } from '../../domain/minute-metrics.js';

const minuteMs = 60_000;

/**
 * The rollup's minute rows of two services with 40 requests a minute each from `start`: checkout fails half its
 * requests in the minutes `failing` answers true for, search never fails.
 */
export function incidentRows(start: number, minutes: number, failing: (minute: number) => boolean) {
  const aggregator = new MinuteMetricsAggregator();
  for (let m = 0; m < minutes; m++)
    for (let i = 0; i < 40; i++)
      for (const service of ['checkout', 'search'])
        aggregator.add({
          ts: start + m * minuteMs + i * 1000,
          service,
          method: 'GET',
          path: '/',
          status_code: service === 'checkout' && failing(m) && i % 2 === 0 ? 500 : 200,
          latency_ms: 10 + i,
        });
  return aggregator.rows();
}
