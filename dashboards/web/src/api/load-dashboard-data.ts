import type {
  EndpointsResponse,
  EventsResponse,
  FreshnessResponse,
  ServicesResponse,
  TimeseriesResponse,
} from '../../../../workers/query/api-types.js';
import type { DashboardState } from '../domain/dashboard-state.js';
import { endpointsQuery, endpointTableRange } from '../domain/endpoint-table.js';
import { resolveRange } from '../domain/time-range.js';
import type { ApiClient } from './api-client.js';

export interface DashboardData {
  services: ServicesResponse;
  /** Every service seen in the last 30 days: the service picker must offer a service that is quiet right now. */
  knownServices: string[];
  timeseries: TimeseriesResponse;
  endpoints: EndpointsResponse;
  freshness: FreshnessResponse;
  events: EventsResponse;
  /** Client clock when the responses arrived, to age the freshness text between refreshes. */
  receivedAt: number;
}

const KNOWN_SERVICES_MS = 30 * 86_400_000;

/** Everything one screen needs, fetched in parallel; any failure fails the whole load so nothing is half-drawn. */
export async function loadDashboardData(
  api: ApiClient,
  state: DashboardState,
  now: number,
): Promise<DashboardData> {
  const { from, to, stepMs } = resolveRange(state.range, now, state.step);
  const service = state.service;
  const table = endpointTableRange({ from, to, stepMs }, state.bucket);
  const [services, known, timeseries, endpoints, freshness, events] = await Promise.all([
    api.services({ from, to }),
    api.services({ from: Math.floor((now - KNOWN_SERVICES_MS) / 60_000) * 60_000, to, limit: 1000 }),
    api.timeseries({
      service,
      method: state.endpoint?.method,
      path: state.endpoint?.path,
      from,
      to,
      step: stepMs,
      compare: state.compare,
      worst: stepMs > 60_000,
    }),
    api.endpoints({ service, from: table.from, to: table.to, ...endpointsQuery(state) }),
    api.freshness(),
    api.events({ service, from, to }),
  ]);
  const knownServices = known.services.map((s) => s.service).sort((a, b) => a.localeCompare(b));
  return { services, knownServices, timeseries, endpoints, freshness, events, receivedAt: Date.now() };
}
