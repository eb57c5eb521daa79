import type { ExemplarItem } from '../../../../workers/query/api-types.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { resolveRange } from '../domain/time-range.js';
import type { ApiClient } from './api-client.js';

export interface EndpointExemplars {
  slowest: ExemplarItem[];
  errors: ExemplarItem[];
}

/** How many of each kind the endpoint view lists and draws. */
export const EXEMPLARS_SHOWN = 10;

/**
 * The endpoint view's real requests: its slowest and its latest 5xx over the page's range (GET /api/v1/exemplars,
 * two calls in parallel). Null outside the endpoint view: a service's or the tenant's slowest requests say little
 * about a chart of many endpoints.
 */
export async function loadExemplars(
  api: ApiClient,
  state: DashboardState,
  now: number,
): Promise<EndpointExemplars | null> {
  if (state.service === null || state.endpoint === null) return null;
  const { from, to } = resolveRange(state.range, now, state.step);
  const ask = (kind: 'slowest' | 'error') =>
    api.exemplars({
      from,
      to,
      service: state.service,
      method: state.endpoint?.method,
      path: state.endpoint?.path,
      kind,
      limit: EXEMPLARS_SHOWN,
    });
  const [slowest, errors] = await Promise.all([ask('slowest'), ask('error')]);
  return { slowest: slowest.exemplars, errors: errors.exemplars };
}
