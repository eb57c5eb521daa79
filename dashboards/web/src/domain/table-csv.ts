import type { EndpointRow } from '../../../../workers/query/api-types.js';
import { buildCsv } from './csv.js';
import type { OverviewRow } from './service-overview.js';

/**
 * The tables as CSV: the API's numbers unrounded (rates as ratios, latencies in ms, the unit in the column name),
 * so a spreadsheet gets what the server answered, not the page's rounded text.
 */
export function buildEndpointsCsv(rows: readonly EndpointRow[]): string {
  return buildCsv(
    [
      'service',
      'method',
      'path',
      'requests',
      'errors_5xx',
      'errors_4xx',
      'error_rate',
      'p50_ms',
      'p95_ms',
      'p99_ms',
      'p999_ms',
      'max_ms',
      'estimated',
      'overflow',
    ],
    rows.map((r) => [
      r.service,
      r.method,
      r.path,
      r.requests,
      r.errors5xx,
      r.errors4xx,
      r.errorRate,
      r.p50,
      r.p95,
      r.p99,
      r.p999,
      r.max,
      r.estimated,
      r.overflow,
    ]),
  );
}

/** The overview's rows in the page's order, each figure beside its change text ("+12% vs last week"). */
export function buildOverviewCsv(rows: readonly OverviewRow[]): string {
  return buildCsv(
    [
      'service',
      'requests',
      'requests_change',
      'error_rate',
      'error_rate_change',
      'p95_ms',
      'p95_change',
      'p99_ms',
      'p99_change',
    ],
    rows.map((r) => [
      r.service,
      r.requests,
      r.changes.requests.text,
      r.errorRate,
      r.changes.errorRate.text,
      r.p95,
      r.changes.p95.text,
      r.p99,
      r.changes.p99.text,
    ]),
  );
}
