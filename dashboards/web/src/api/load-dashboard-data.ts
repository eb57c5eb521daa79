import type {
  EndpointsResponse,
  EventsResponse,
  FreshnessResponse,
  ServicesResponse,
  TimeseriesResponse,
} from '../../../../workers/query/api-types.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { resolveRange } from '../domain/time-range.js';
import type { ApiClient } from './api-client.js';

export interface DashboardData {
  services: ServicesResponse;
  timeseries: TimeseriesResponse;
  endpoints: EndpointsResponse;
  freshness: FreshnessResponse;
  events: EventsResponse;
  /** Client clock when the responses arrived, to age the freshness text between refreshes. */
  receivedAt: number;
}

export const ENDPOINT_LIMIT = 20;

/** Everything one screen needs, fetched in parallel; any failure fails the whole load so nothing is half-drawn. */
export async function loadDashboardData(
  api: ApiClient,
  state: DashboardState,
  now: number,
): Promise<DashboardData> {
  const { from, to, stepMs } = resolveRange(state.range, now);
  const service = state.service;
  const [services, timeseries, endpoints, freshness, events] = await Promise.all([
    api.services({ from, to }),
    api.timeseries({
      service,
      method: state.endpoint?.method,
      path: state.endpoint?.path,
      from,
      to,
      step: stepMs,
      compare: state.compare,
    }),
    api.endpoints({ service, from, to, sort: state.sort, limit: ENDPOINT_LIMIT }),
    api.freshness(),
    api.events({ service, from, to }),
  ]);
  return { services, timeseries, endpoints, freshness, events, receivedAt: Date.now() };
}
