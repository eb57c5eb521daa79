import { overflowRoute } from '../../domain/request-vocabulary.js';
import type {
  EndpointRow,
  EndpointsResponse,
  EventsResponse,
  ExemplarsResponse,
  FreshnessResponse,
  LatencyHeatmapResponse,
  ServicesResponse,
  StatusClassCounts,
  StoredCardinalityResponse,
  TimeseriesPoint,
  TimeseriesResponse,
} from '../api-types.js';
import { samplingEstimate } from '../domain/sampling-estimate.js';
import { buildLatencyHeatmap } from '../domain/latency-heatmap.js';
import { stepStarts } from '../domain/choose-step.js';
import type { CountRow, MetricsQuery, QueryEngine, SummaryRow } from './query-engine.js';
import { loadStoredCardinality } from './stored-cardinality.js';
import type { RollupManifests } from '../adapters/rollup-manifests.js';
import type { TraceUrlTemplate } from '../domain/trace-url-template.js';
import { listExemplars, type ExemplarsRequest } from './list-exemplars.js';
import {
  edgeSeriesQuery,
  loadServiceMap,
  type EdgeTimeseriesRequest,
  type ServiceMapRequest,
} from './service-map.js';
import type { EdgeTimeseriesResponse, ServiceMapResponse } from '../api-types.js';

export interface TimeseriesRequest {
  tenant: string;
  from: number;
  to: number;
  stepMs: number;
  service?: string;
  method?: string;
  path?: string;
  compare?: '1d' | '7d';
  /** Also answer each step's worst minute (error rate and p99), from the minute rows. */
  worst?: boolean;
  signal?: AbortSignal;
}

/** Paging and the volume floor of the endpoint table. */
export interface EndpointsPage {
  offset?: number;
  minRequests?: number;
}

export type EndpointSort = EndpointsResponse['sort'];

/** Row limits of the list endpoints (docs/query-api.md): the default a client gets and the most it may ask for. */
export const defaultServicesLimit = 100;
export const maxServicesLimit = 1000;
export const defaultEndpointsLimit = 20;
export const maxEndpointsLimit = 1000;
/** Paging reaches this far; past it a client should narrow the range or the service. */
export const maxEndpointsOffset = 100_000;
export const defaultEventsLimit = 500;
const sortKey = { errors: 'errors5xx', error_rate: 'error_rate', p95: 'p95', requests: 'requests' } as const;

const noPercentiles = { p50: null, p95: null, p99: null, p999: null, maxLatency: null };
const noCounts = {
  requests: 0,
  errors5xx: 0,
  errors4xx: 0,
  status1xx: 0,
  status2xx: 0,
  status3xx: 0,
  statusUnknown: 0,
  estimatedRequests: 0,
};
const statusClasses = (c: CountRow): StatusClassCounts => ({
  status1xx: c.status1xx,
  status2xx: c.status2xx,
  status3xx: c.status3xx,
  statusUnknown: c.statusUnknown,
});
const minuteMs = 60_000;
/**
 * Ranges up to this long also get each step's worst-minute p99 (worst=1); longer ones the error rate only. 25 h:
 * the dashboard's 24-hour view starts at a step boundary, so it spans up to one step more than 24 h.
 */
export const worstP99MaxMs = 25 * 3_600_000;
const offsets = { '1d': 86_400_000, '7d': 7 * 86_400_000 } as const;
const rate = (errors: number, requests: number) => (requests > 0 ? errors / requests : null);

/** Builds the query API's responses from engine aggregates; percentiles always come from merged histograms. */
export class QueryService {
  constructor(
    private readonly engine: QueryEngine,
    private readonly manifests: RollupManifests,
    private readonly options: { traceUrl?: TraceUrlTemplate } = {},
  ) {}

  async services(
    tenant: string,
    from: number,
    to: number,
    limit: number,
    signal?: AbortSignal,
    latency = false,
  ): Promise<ServicesResponse> {
    // One row more than asked for tells whether the answer is truncated.
    const top = { by: 'requests' as const, limit: limit + 1 };
    const query = { tenant, from, to, groupBy: 'service' as const, top, signal };
    // Percentiles cost a histogram merge per service: only when asked (the service overview).
    const rows: (CountRow & Partial<SummaryRow>)[] = latency
      ? await this.engine.summaries(query)
      : await this.engine.counts(query);
    const services = rows
      .map((r) => ({
        service: r.service!,
        requests: r.requests,
        errors5xx: r.errors5xx,
        errorRate: rate(r.errors5xx, r.requests) ?? 0,
        ...samplingEstimate(r),
        ...(latency
          ? { p50: r.p50 ?? null, p95: r.p95 ?? null, p99: r.p99 ?? null, p999: r.p999 ?? null }
          : {}),
      }))
      .sort((a, b) => b.requests - a.requests || a.service.localeCompare(b.service));
    return { from, to, truncated: rows.length > limit, services: services.slice(0, limit) };
  }

  async timeseries(req: TimeseriesRequest): Promise<TimeseriesResponse> {
    const filter = { service: req.service, method: req.method, path: req.path };
    const query = {
      tenant: req.tenant,
      stepMs: req.stepMs,
      groupBy: 'step' as const,
      signal: req.signal,
      ...filter,
    };
    const offset = req.compare ? offsets[req.compare] : undefined;
    // The overlay is an independent query: run it beside the current range, not after it.
    const [points, past, worst] = await Promise.all([
      this.points({ ...query, from: req.from, to: req.to }),
      offset === undefined
        ? undefined
        : this.points({ ...query, from: req.from - offset, to: req.to - offset }),
      req.worst ? this.worstMinutes({ ...query, from: req.from, to: req.to }) : undefined,
    ]);
    if (worst) for (const p of points) p.worstMinute = worst.get(p.t) ?? { errorRate: null, p99: null };
    const response: TimeseriesResponse = {
      from: req.from,
      to: req.to,
      stepMs: req.stepMs,
      filter: definedOnly(filter),
      points,
    };
    if (req.compare && past && offset !== undefined) {
      response.compare = { offset: req.compare, points: past.map((p) => ({ ...p, t: p.t + offset })) };
    }
    return response;
  }

  /** The calls between services in a range (service-map.ts, docs/adr/0085). */
  serviceMap(req: ServiceMapRequest): Promise<ServiceMapResponse> {
    return loadServiceMap(this.engine, req);
  }

  /** One service-map edge's series: the points /timeseries answers, over the edge tables. */
  async edgeTimeseries(req: EdgeTimeseriesRequest): Promise<EdgeTimeseriesResponse> {
    const { from, to, stepMs, caller, callee } = req;
    return { from, to, stepMs, caller, callee, points: await this.points(edgeSeriesQuery(req)) };
  }

  /** Each step's merged histogram folded into latency bands (the dashboard's heatmap); one engine statement. */
  async latencyHeatmap(req: Omit<TimeseriesRequest, 'compare' | 'worst'>): Promise<LatencyHeatmapResponse> {
    const filter = { service: req.service, method: req.method, path: req.path };
    const rows = await this.engine.histograms({
      tenant: req.tenant,
      from: req.from,
      to: req.to,
      stepMs: req.stepMs,
      groupBy: 'step',
      signal: req.signal,
      ...filter,
    });
    return buildLatencyHeatmap(rows, {
      from: req.from,
      to: req.to,
      stepMs: req.stepMs,
      filter: definedOnly(filter),
    });
  }

  private async points(query: MetricsQuery & { stepMs: number }): Promise<TimeseriesPoint[]> {
    const byStep = new Map((await this.engine.summaries(query)).map((s) => [s.t!, s]));
    const seconds = query.stepMs / 1000;
    return stepStarts(query.from, query.to, query.stepMs).map((t) => {
      const c = byStep.get(t) ?? { ...noCounts, ...noPercentiles };
      return {
        t,
        requests: c.requests,
        errors5xx: c.errors5xx,
        errors4xx: c.errors4xx,
        ...statusClasses(c),
        ...samplingEstimate(c),
        errorRate: rate(c.errors5xx, c.requests),
        throughput: c.requests / seconds,
        p50: c.p50,
        p95: c.p95,
        p99: c.p99,
        p999: c.p999,
        max: c.maxLatency,
      };
    });
  }

  /**
   * Each step's worst minute: the minute rows of the range (one statement at a 1-minute step, straight from the
   * engine, not bounded by the API's point cap) folded into the steps by their maximum error rate and p99.
   */
  private async worstMinutes(
    query: MetricsQuery & { stepMs: number },
  ): Promise<Map<number, NonNullable<TimeseriesPoint['worstMinute']>>> {
    // A p99 per minute merges one histogram per minute: over 7 days (10,080 minutes) that took 36 s on the bench
    // dataset. Past worstP99MaxMs only the error rate, which needs counts alone, is answered.
    const minuteQuery = { ...query, stepMs: minuteMs };
    const minutes: (CountRow & Partial<SummaryRow>)[] =
      query.to - query.from <= worstP99MaxMs
        ? await this.engine.summaries(minuteQuery)
        : await this.engine.counts(minuteQuery);
    const worst = new Map<number, NonNullable<TimeseriesPoint['worstMinute']>>();
    for (const m of minutes) {
      const step = query.from + Math.floor((m.t! - query.from) / query.stepMs) * query.stepMs;
      const seen = worst.get(step) ?? { errorRate: null, p99: null };
      worst.set(step, {
        errorRate: maxOf(seen.errorRate, rate(m.errors5xx, m.requests)),
        p99: maxOf(seen.p99, m.p99 ?? null),
      });
    }
    return worst;
  }

  async endpoints(
    tenant: string,
    from: number,
    to: number,
    sort: EndpointSort,
    limit: number,
    service?: string,
    signal?: AbortSignal,
    page: EndpointsPage = {},
  ): Promise<EndpointsResponse> {
    const query: MetricsQuery = { tenant, from, to, service, groupBy: 'endpoint', signal };
    const order = endpointOrder(sort);
    const { offset = 0, minRequests = 1 } = page;
    // The engine ranks and cuts; one row more than asked for tells whether the answer is truncated.
    const top = { by: sortKey[sort], limit: limit + 1, offset, minRequests };
    let matched: number | undefined;
    let summaries: SummaryRow[];
    let truncated: boolean;
    // One service has few endpoints (its route budget): merging them all in one statement beats two queries;
    // so does any merge on an engine whose statements cost more than merges (Trino).
    if (sort === 'p95' || service !== undefined || this.engine.prefersOneStatement) {
      summaries = await this.engine.summaries({ ...query, top });
      matched = summaries[0]?.matched;
      truncated = summaries.length > limit;
    } else {
      // Ranking by counts needs no histograms: rank every endpoint by counts, then merge histograms for the
      // top `limit` only. Over a week that is the difference between merging ~20 and ~1,000 endpoints' buckets.
      const countRows = await this.engine.counts({ ...query, top });
      matched = countRows[0]?.matched;
      const counted = countRows.map((c) => toEndpointRow({ ...c, ...noPercentiles }));
      truncated = counted.length > limit;
      const first = counted.sort(order).slice(0, limit);
      summaries = first.length === 0 ? [] : await this.engine.summaries({ ...query, endpoints: first });
    }
    const rows = summaries.map(toEndpointRow);
    rows.sort(order);
    const total = matched ?? (offset === 0 ? 0 : await this.countEndpoints(query, top));
    return {
      from,
      to,
      sort,
      truncated,
      total,
      offset,
      minRequests,
      endpoints: rows.slice(0, limit),
    };
  }

  /** A page past the end has no row to carry the count: ask for it once more from the first page. */
  private async countEndpoints(query: MetricsQuery, top: NonNullable<MetricsQuery['top']>): Promise<number> {
    const [first] = await this.engine.counts({
      ...query,
      top: { ...top, by: 'requests', offset: 0, limit: 1 },
    });
    return first?.matched ?? 0;
  }

  async events(
    tenant: string,
    from: number,
    to: number,
    service?: string,
    signal?: AbortSignal,
  ): Promise<EventsResponse> {
    const limit = defaultEventsLimit;
    const events = await this.engine.events({ tenant, from, to, service, limit: limit + 1, signal });
    return { from, to, truncated: events.length > limit, events: events.slice(0, limit) };
  }

  /** The slowest requests or the latest 5xx of a range (list-exemplars.ts). */
  exemplars(tenant: string, request: ExemplarsRequest, signal?: AbortSignal): Promise<ExemplarsResponse> {
    return listExemplars(this.engine, tenant, request, this.options.traceUrl, signal);
  }

  /** The budgets' effect on the stored data: distinct services and routes, overflow, top offenders. */
  storedCardinality(
    tenant: string,
    from: number,
    to: number,
    signal?: AbortSignal,
  ): Promise<StoredCardinalityResponse> {
    return loadStoredCardinality(this.engine, tenant, from, to, signal);
  }

  async freshness(tenant: string, now: number, signal?: AbortSignal): Promise<FreshnessResponse> {
    const [lastMetricMinute, rollup, heartbeat] = await Promise.all([
      this.engine.lastMetricMinute(tenant, now, 7 * 86_400_000, signal),
      this.manifests.freshness(tenant),
      this.manifests.lastPass(),
    ]);
    const lagMs = lastMetricMinute === null ? null : Math.max(0, now - (lastMetricMinute + 60_000));
    const lastCommitAt = rollup?.lastCommitAt ?? null;
    return {
      lastMetricMinute,
      lastCommitAt,
      lastRollupAt: lastCommitAt,
      newestEventAt: rollup?.newestEventAt ?? null,
      lastRollupPassAt: heartbeat?.finishedAt ?? null,
      lagMs,
      now,
    };
  }
}

function toEndpointRow(c: SummaryRow): EndpointRow {
  return {
    service: c.service!,
    method: c.method!,
    path: c.path!,
    requests: c.requests,
    errors5xx: c.errors5xx,
    errors4xx: c.errors4xx,
    ...statusClasses(c),
    ...samplingEstimate(c),
    errorRate: rate(c.errors5xx, c.requests) ?? 0,
    p50: c.p50,
    p95: c.p95,
    p99: c.p99,
    p999: c.p999,
    max: c.maxLatency,
    overflow: c.path === overflowRoute,
  };
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const tieBreak = (a: EndpointRow, b: EndpointRow) =>
  b.requests - a.requests ||
  `${a.service} ${a.path} ${a.method}`.localeCompare(`${b.service} ${b.path} ${b.method}`);

function endpointOrder(sort: EndpointSort): (a: EndpointRow, b: EndpointRow) => number {
  if (sort === 'errors') return (a, b) => b.errors5xx - a.errors5xx || tieBreak(a, b);
  if (sort === 'error_rate') return (a, b) => b.errorRate - a.errorRate || tieBreak(a, b);
  if (sort === 'p95') return (a, b) => (b.p95 ?? -1) - (a.p95 ?? -1) || tieBreak(a, b);
  return tieBreak;
}
