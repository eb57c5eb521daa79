import type {
  EdgeTimeseriesResponse,
  EndpointsResponse,
  EventsResponse,
  ExemplarsResponse,
  FreshnessResponse,
  LatencyHeatmapResponse,
  ServiceMapResponse,
  ServicesResponse,
  StoredCardinalityResponse,
  TimeseriesResponse,
} from '../../../../workers/query/api-types.js';
import { revealFormatCharacters } from '../../../../workers/domain/format-characters.js';
import { ApiUnreachableError, buildApiError } from './api-errors.js';

export interface ApiClientOptions {
  /** Origin + prefix; the dashboard is served by the query API, so this is normally the page origin. */
  baseUrl: string;
  getToken: () => string | null;
  timeoutMs?: number;
}

type Params = Record<string, string | number | null | undefined>;

export interface RangeParams {
  from: number;
  to: number;
  service?: string | null;
}

export interface ServicesParams extends RangeParams {
  limit?: number;
  /** Also each service's p50/p95/p99 (latency=1). */
  latency?: boolean;
}

export interface TimeseriesParams extends RangeParams {
  method?: string | null;
  path?: string | null;
  step: number;
  compare?: '1d' | '7d' | null;
  /** Ask for each step's worst minute (worst=1). */
  worst?: boolean;
}

export interface EndpointsParams extends RangeParams {
  sort: EndpointsResponse['sort'];
  limit: number;
  offset?: number;
  minRequests?: number;
}

export interface ExemplarsParams extends RangeParams {
  method?: string | null;
  path?: string | null;
  kind: ExemplarsResponse['kind'];
  limit: number;
}

/** Typed calls to /api/v1; every failure becomes one of the classes in api-errors.ts. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  services(p: ServicesParams): Promise<ServicesResponse> {
    return this.get('services', {
      from: p.from,
      to: p.to,
      limit: p.limit,
      latency: p.latency ? 1 : undefined,
    });
  }

  timeseries(p: TimeseriesParams): Promise<TimeseriesResponse> {
    const { from, to, service, method, path, step, compare } = p;
    const worst = p.worst ? 1 : undefined;
    return this.get('timeseries', { service, method, path, from, to, step, compare, worst });
  }

  /** Each step's latency distribution in fixed bands (the heatmap); the same steps as `timeseries`. */
  latencyHeatmap(p: Omit<TimeseriesParams, 'compare' | 'worst'>): Promise<LatencyHeatmapResponse> {
    const { from, to, service, method, path, step } = p;
    return this.get('latency-heatmap', { service, method, path, from, to, step });
  }

  endpoints(p: EndpointsParams): Promise<EndpointsResponse> {
    return this.get('endpoints', {
      service: p.service,
      from: p.from,
      to: p.to,
      sort: p.sort,
      limit: p.limit,
      offset: p.offset || undefined,
      min_requests: p.minRequests,
    });
  }

  freshness(): Promise<FreshnessResponse> {
    return this.get('freshness', {});
  }

  events(p: RangeParams): Promise<EventsResponse> {
    // Not /api/v1/events: behind a pipeline's Ingress that path is ingestion's (POST deploy events).
    return this.get('service-events', { service: p.service, from: p.from, to: p.to });
  }

  storedCardinality(p: RangeParams): Promise<StoredCardinalityResponse> {
    return this.get('stored-cardinality', { from: p.from, to: p.to });
  }

  serviceMap(p: RangeParams & { limit?: number }): Promise<ServiceMapResponse> {
    return this.get('service-map', { from: p.from, to: p.to, limit: p.limit });
  }

  serviceMapEdge(
    p: RangeParams & { caller: string; callee: string; step: number },
  ): Promise<EdgeTimeseriesResponse> {
    const { from, to, caller, callee, step } = p;
    return this.get('service-map/edge', { caller, callee, from, to, step });
  }

  exemplars(p: ExemplarsParams): Promise<ExemplarsResponse> {
    const { from, to, service, method, path, kind, limit } = p;
    return this.get('exemplars', { service, method, path, from, to, kind, limit });
  }

  private async get<T>(resource: string, params: Params): Promise<T> {
    const url = `${this.options.baseUrl}/api/v1/${resource}${buildQueryString(params)}`;
    const token = this.options.getToken();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : {},
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        cache: 'no-store',
      });
    } catch (cause) {
      throw new ApiUnreachableError(`The query API at ${this.options.baseUrl} is unreachable`, { cause });
    }
    const body = parseRevealed(await response.text().catch(() => ''));
    if (!response.ok) throw buildApiError(response.status, body);
    return body as T;
  }
}

/**
 * The API's JSON with every invisible format character in a string written out (workers/domain/format-characters.ts):
 * the edge refuses them now, but names stored before it did must not display as another name (docs/adr/0090).
 */
export function parseRevealed(text: string): unknown {
  try {
    return JSON.parse(text, (_key, value: unknown) =>
      typeof value === 'string' ? revealFormatCharacters(value) : value,
    ) as unknown;
  } catch {
    return null;
  }
}

/** Leaves out absent parameters so the API applies its own defaults. */
export function buildQueryString(params: Params): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}
