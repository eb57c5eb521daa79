import type { EndpointsResponse } from '../../../../workers/query/api-types.js';
import type { DashboardState, EndpointSort } from './dashboard-state.js';

export const ENDPOINT_PAGE_SIZE = 20;
/** Below this many requests an error rate is noise: one failed request is 100%, and it would top the ranking. */
export const ERROR_RATE_MIN_REQUESTS = 10;

/** The /endpoints parameters of the table's current page and sort. */
export function endpointsQuery(state: Pick<DashboardState, 'sort' | 'page'>): {
  sort: EndpointSort;
  limit: number;
  offset: number;
  minRequests: number | undefined;
} {
  return {
    sort: state.sort,
    limit: ENDPOINT_PAGE_SIZE,
    offset: state.page * ENDPOINT_PAGE_SIZE,
    minRequests: state.sort === 'error_rate' ? ERROR_RATE_MIN_REQUESTS : undefined,
  };
}

/**
 * The range the endpoint table covers: the picked bucket (clicked on a chart) when it lies in the range, else the
 * whole range.
 */
export function endpointTableRange(
  range: { from: number; to: number; stepMs: number },
  bucket: number | null,
): { from: number; to: number; bucket: boolean } {
  if (bucket === null || bucket < range.from || bucket >= range.to) return { ...range, bucket: false };
  return { from: bucket, to: Math.min(range.to, bucket + range.stepMs), bucket: true };
}

/** The table's title says what it is sorted by, not "Top failing" whatever the order. */
export function endpointTableTitle(sort: EndpointSort, minRequests: number, service: string | null): string {
  const base = {
    errors: 'Endpoints by 5xx errors',
    error_rate: `Endpoints by error rate${minRequests > 1 ? ` (at least ${minRequests} requests)` : ''}`,
    p95: 'Slowest endpoints (P95)',
    requests: 'Busiest endpoints',
  }[sort];
  return service ? `${base} — ${service}` : base;
}

/** "21–40 of 57 endpoints"; "No endpoints" when the page is empty. */
export function endpointCountText(
  response: Pick<EndpointsResponse, 'offset' | 'total' | 'endpoints'>,
): string {
  const { offset, total, endpoints } = response;
  if (endpoints.length === 0)
    return total === 0 ? 'No endpoints' : `No endpoints on this page (${total} in all)`;
  return `${offset + 1}–${offset + endpoints.length} of ${total} endpoint${total === 1 ? '' : 's'}`;
}
