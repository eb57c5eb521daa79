import type { EndpointRow, TimeseriesPoint } from '../../../../workers/query/api-types.js';
import { formatCount } from './format.js';

/**
 * The dashboard's "estimated from samples" marks (docs/query-api.md, `estimated`): a chart whose buckets hold
 * requests counted from sampled spans' adjusted counts gets a note under its legend, and such an endpoint row a
 * "≈" before its request count, so nobody reads a head-sampled service's counts as exact.
 */
export function buildSamplingNote(points: readonly TimeseriesPoint[]): string | null {
  const estimated = points.filter((p) => p.estimated);
  if (estimated.length === 0) return null;
  const requests = points.reduce((n, p) => n + p.requests, 0);
  const counted = points.reduce((n, p) => n + p.estimatedRequests, 0);
  const share = requests > 0 ? Math.round((100 * counted) / requests) : 0;
  const buckets =
    estimated.length === points.length ? 'every bucket' : `${estimated.length} of ${points.length} buckets`;
  return `Estimated from samples: ${buckets}; ${formatCount(counted)} of ${formatCount(requests)} requests (${share}%) are sampled spans counted by their adjusted count.`;
}

/** The request count of an endpoint row, marked "≈" when it is an estimate. */
export function formatEstimatedCount(row: Pick<EndpointRow, 'requests' | 'estimated'>): string {
  return row.estimated ? `≈ ${formatCount(row.requests)}` : formatCount(row.requests);
}
