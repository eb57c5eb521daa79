import { overflowRoute } from '../../domain/request-vocabulary.js';
import type {
  EndpointRow,
  EndpointsResponse,
  EventsResponse,
  FreshnessResponse,
  ServicesResponse,
  TimeseriesPoint,
  TimeseriesResponse,
} from '../api-types.js';
import { stepStarts } from '../domain/choose-step.js';
import type { MetricsQuery, QueryEngine, SummaryRow } from './query-engine.js';
import type { RollupManifests } from '../adapters/rollup-manifests.js';

export interface TimeseriesRequest {
  tenant: string;
  from: number;
  to: number;
  stepMs: number;
  service?: string;
  method?: string;
  path?: string;
  compare?: '1d' | '7d';
  signal?: AbortSignal;
}

export type EndpointSort = EndpointsResponse['sort'];

/** Row limits of the list endpoints (docs/query-api.md): the default a client gets and the most it may ask for. */
export const defaultServicesLimit = 100;
export const maxServicesLimit = 1000;
export const defaultEndpointsLimit = 20;
export const maxEndpointsLimit = 1000;
export const defaultEventsLimit = 500;
const sortKey = { errors: 'errors5xx', error_rate: 'error_rate', p95: 'p95', requests: 'requests' } as const;

const noPercentiles = { p50: null, p95: null, p99: null };
const offsets = { '1d': 86_400_000, '7d': 7 * 86_400_000 } as const;
const rate = (errors: number, requests: number) => (requests > 0 ? errors / requests : null);

/** Builds the query API's responses from engine aggregates; percentiles always come from merged histograms. */
export class QueryService {
  constructor(
    private readonly engine: QueryEngine,
    private readonly manifests: RollupManifests,
  ) {}

  async services(
    tenant: string,
    from: number,
    to: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<ServicesResponse> {
    // One row more than asked for tells whether the answer is truncated.
    const top = { by: 'requests' as const, limit: limit + 1 };
    const rows = await this.engine.counts({ tenant, from, to, groupBy: 'service', top, signal });
    const services = rows
      .map((r) => ({
        service: r.service!,
        requests: r.requests,
        errors5xx: r.errors5xx,
        errorRate: rate(r.errors5xx, r.requests) ?? 0,
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
    const [points, past] = await Promise.all([
      this.points({ ...query, from: req.from, to: req.to }),
      offset === undefined
        ? undefined
        : this.points({ ...query, from: req.from - offset, to: req.to - offset }),
    ]);
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

  private async points(query: MetricsQuery & { stepMs: number }): Promise<TimeseriesPoint[]> {
    const byStep = new Map((await this.engine.summaries(query)).map((s) => [s.t!, s]));
    const seconds = query.stepMs / 1000;
    return stepStarts(query.from, query.to, query.stepMs).map((t) => {
      const c = byStep.get(t) ?? { requests: 0, errors5xx: 0, errors4xx: 0, ...noPercentiles };
      return {
        t,
        requests: c.requests,
        errors5xx: c.errors5xx,
        errors4xx: c.errors4xx,
        errorRate: rate(c.errors5xx, c.requests),
        throughput: c.requests / seconds,
        p50: c.p50,
        p95: c.p95,
        p99: c.p99,
      };
    });
  }

  async endpoints(
    tenant: string,
    from: number,
    to: number,
    sort: EndpointSort,
    limit: number,
    service?: string,
    signal?: AbortSignal,
  ): Promise<EndpointsResponse> {
    const query: MetricsQuery = { tenant, from, to, service, groupBy: 'endpoint', signal };
    const order = endpointOrder(sort);
    // The engine ranks and cuts; one row more than asked for tells whether the answer is truncated.
    const top = { by: sortKey[sort], limit: limit + 1 };
    let summaries: SummaryRow[];
    let truncated: boolean;
    // One service has few endpoints (its route budget): merging them all in one statement beats two queries.
    if (sort === 'p95' || service !== undefined) {
      summaries = await this.engine.summaries({ ...query, top });
      truncated = summaries.length > limit;
    } else {
      // Ranking by counts needs no histograms: rank every endpoint by counts, then merge histograms for the
      // top `limit` only. Over a week that is the difference between merging ~20 and ~1,000 endpoints' buckets.
      const counted = (await this.engine.counts({ ...query, top })).map((c) =>
        toEndpointRow({ ...c, ...noPercentiles }),
      );
      truncated = counted.length > limit;
      const first = counted.sort(order).slice(0, limit);
      summaries = first.length === 0 ? [] : await this.engine.summaries({ ...query, endpoints: first });
    }
    const rows = summaries.map(toEndpointRow);
    rows.sort(order);
    return { from, to, sort, truncated, endpoints: rows.slice(0, limit) };
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

  async freshness(tenant: string, now: number, signal?: AbortSignal): Promise<FreshnessResponse> {
    const [lastMetricMinute, rollup] = await Promise.all([
      this.engine.lastMetricMinute(tenant, now, 7 * 86_400_000, signal),
      this.manifests.freshness(tenant),
    ]);
    const lagMs = lastMetricMinute === null ? null : Math.max(0, now - (lastMetricMinute + 60_000));
    const lastCommitAt = rollup?.lastCommitAt ?? null;
    return {
      lastMetricMinute,
      lastCommitAt,
      lastRollupAt: lastCommitAt,
      newestEventAt: rollup?.newestEventAt ?? null,
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
    errorRate: rate(c.errors5xx, c.requests) ?? 0,
    p50: c.p50,
    p95: c.p95,
    p99: c.p99,
    overflow: c.path === overflowRoute,
  };
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
