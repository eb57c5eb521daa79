import { parsePromqlMetricNames } from './promql-metric-names.js';

describe('parsePromqlMetricNames', () => {
  it('finds the metric inside functions, aggregations and ranges', () => {
    expect(
      parsePromqlMetricNames(
        'histogram_quantile(0.99, sum by (namespace, le) (rate(gravix_wal_fsync_duration_seconds_bucket{namespace=~"$namespace"}[$__rate_interval])))',
      ),
    ).toEqual(['gravix_wal_fsync_duration_seconds_bucket']);
  });

  it('finds both sides of a binary expression and ignores keywords and label values', () => {
    expect(
      parsePromqlMetricNames(
        'sum by (tenant) (rate(a_total{code="up"}[5m])) / ignoring (code) group_left sum(b_total) > 0.2 and on (tenant) c',
      ),
    ).toEqual(['a_total', 'b_total', 'c']);
  });

  it('ignores time(), numbers in exponent form and Grafana variables', () => {
    expect(
      parsePromqlMetricNames('time() - max(gravix_rollup_last_success_timestamp_seconds) > 1e3'),
    ).toEqual(['gravix_rollup_last_success_timestamp_seconds']);
    expect(parsePromqlMetricNames('sum(increase(x_total[$__range]))')).toEqual(['x_total']);
  });
});
