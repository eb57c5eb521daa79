import type {
  EndpointRow,
  EndpointsResponse,
  EventsResponse,
  FreshnessResponse,
  ServicesResponse,
  TimeseriesPoint,
  TimeseriesResponse,
} from '../../../workers/query/api-types.js';
import {
  addCell,
  emptyAggregate,
  FIXTURE_ENDPOINTS,
  MINUTE,
  quantile,
  type Aggregate,
  type DatasetOptions,
} from './fixture-dataset.js';

/** The fixture's traffic is unsampled: no series is estimated from samples. */
const notEstimated = { estimated: false, estimatedRequests: 0 };

export interface FixtureFilter {
  service?: string;
  method?: string;
  path?: string;
}

const OFFSET_MS = { '1d': 86_400_000, '7d': 7 * 86_400_000 } as const;
/** The real server's worstP99MaxMs (workers/query/app/query-service.ts). */
const WORST_P99_MAX_MS = 25 * 3_600_000;

/**
 * The query API's semantics over the fixture dataset, for UI tests only. Data exists up to and including
 * `lastMetricMinute` (the newest rolled-up minute); nothing after it, like the real metrics layer.
 */
export class FixtureQueries {
  constructor(
    private readonly options: DatasetOptions & {
      lastMetricMinute: number | null;
      deploys: EventsResponse['events'];
    },
  ) {}

  /** Busiest first, cut at `limit` (truncated says so); `latency` adds each service's merged p50/p95/p99. */
  services(from: number, to: number, opts: { limit?: number; latency?: boolean } = {}): ServicesResponse {
    const { limit = 100, latency = false } = opts;
    const byService = new Map<string, Aggregate>();
    this.eachCell(from, to, {}, (i, minute) => {
      const service = FIXTURE_ENDPOINTS[i]!.service;
      const acc = byService.get(service) ?? emptyAggregate();
      addCell(acc, minute, i, this.options);
      byService.set(service, acc);
    });
    const services = [...byService.entries()]
      .filter(([, a]) => a.requests > 0)
      .sort(([sa, a], [sb, b]) => b.requests - a.requests || sa.localeCompare(sb))
      .map(([service, a]) => ({
        service,
        requests: a.requests,
        errors5xx: a.errors5xx,
        errorRate: a.errors5xx / a.requests,
        ...notEstimated,
        ...(latency
          ? {
              p50: quantile(a.histogram, 0.5),
              p95: quantile(a.histogram, 0.95),
              p99: quantile(a.histogram, 0.99),
            }
          : {}),
      }));
    return { from, to, truncated: services.length > limit, services: services.slice(0, limit) };
  }

  timeseries(
    p: FixtureFilter & { from: number; to: number; step: number; compare?: '1d' | '7d'; worst?: boolean },
  ): TimeseriesResponse {
    const filter: FixtureFilter = {};
    if (p.service) filter.service = p.service;
    if (p.method) filter.method = p.method;
    if (p.path) filter.path = p.path;
    const response: TimeseriesResponse = {
      from: p.from,
      to: p.to,
      stepMs: p.step,
      filter,
      points: this.points(p.from, p.to, p.step, filter, 0),
    };
    if (p.worst) {
      const worst = this.worstMinutes(p.from, p.to, p.step, filter);
      for (const point of response.points)
        point.worstMinute = worst.get(point.t) ?? { errorRate: null, p99: null };
    }
    if (p.compare) {
      response.compare = {
        offset: p.compare,
        points: this.points(p.from, p.to, p.step, filter, OFFSET_MS[p.compare]),
      };
    }
    return response;
  }

  endpoints(p: {
    service?: string;
    from: number;
    to: number;
    sort: EndpointsResponse['sort'];
    limit: number;
    offset?: number;
    minRequests?: number;
  }): EndpointsResponse {
    const { offset = 0, minRequests = 1 } = p;
    const rows: EndpointRow[] = [];
    FIXTURE_ENDPOINTS.forEach((ep, i) => {
      if (p.service && ep.service !== p.service) return;
      const acc = emptyAggregate();
      this.eachCell(p.from, p.to, ep, (j, minute) => j === i && addCell(acc, minute, i, this.options));
      if (acc.requests === 0 || acc.requests < minRequests) return;
      rows.push({
        service: ep.service,
        method: ep.method,
        path: ep.path,
        requests: acc.requests,
        errors5xx: acc.errors5xx,
        ...notEstimated,
        errors4xx: acc.errors4xx,
        ...statusClassesOf(acc),
        errorRate: acc.errors5xx / acc.requests,
        p50: quantile(acc.histogram, 0.5),
        p95: quantile(acc.histogram, 0.95),
        p99: quantile(acc.histogram, 0.99),
        p999: quantile(acc.histogram, 0.999),
        max: acc.requests > 0 ? quantile(acc.histogram, 1) : null,
        overflow: ep.overflow === true,
      });
    });
    const key = SORT_KEYS[p.sort];
    rows.sort((a, b) => key(b) - key(a) || a.path.localeCompare(b.path));
    return {
      from: p.from,
      to: p.to,
      sort: p.sort,
      truncated: rows.length > offset + p.limit,
      total: rows.length,
      offset,
      minRequests,
      endpoints: rows.slice(offset, offset + p.limit),
    };
  }

  freshness(now: number): FreshnessResponse {
    const last = this.options.lastMetricMinute;
    if (last === null)
      return {
        lastMetricMinute: null,
        lastCommitAt: null,
        lastRollupAt: null,
        newestEventAt: null,
        lastRollupPassAt: null,
        lagMs: null,
        now,
      };
    return {
      lastMetricMinute: last,
      lastCommitAt: last + MINUTE + 4_000,
      lastRollupAt: last + MINUTE + 4_000,
      newestEventAt: last + MINUTE - 1,
      lastRollupPassAt: last + MINUTE + 4_000,
      lagMs: now - (last + MINUTE),
      now,
    };
  }

  events(p: { service?: string; from: number; to: number }): EventsResponse {
    const events = this.options.deploys.filter(
      (e) => e.t >= p.from && e.t < p.to && (!p.service || e.service === p.service),
    );
    return { from: p.from, to: p.to, truncated: false, events };
  }

  private points(
    from: number,
    to: number,
    step: number,
    filter: FixtureFilter,
    offset: number,
  ): TimeseriesPoint[] {
    const points: TimeseriesPoint[] = [];
    for (let t = from; t < to; t += step) {
      const acc = emptyAggregate();
      this.eachCell(t - offset, Math.min(t + step, to) - offset, filter, (i, minute) =>
        addCell(acc, minute, i, this.options),
      );
      points.push({
        t,
        requests: acc.requests,
        errors5xx: acc.errors5xx,
        errors4xx: acc.errors4xx,
        ...statusClassesOf(acc),
        ...notEstimated,
        errorRate: acc.requests ? acc.errors5xx / acc.requests : null,
        throughput: acc.requests / (step / 1000),
        p50: quantile(acc.histogram, 0.5),
        p95: quantile(acc.histogram, 0.95),
        p99: quantile(acc.histogram, 0.99),
        p999: quantile(acc.histogram, 0.999),
        max: acc.requests > 0 ? quantile(acc.histogram, 1) : null,
      });
    }
    return points;
  }

  /**
   * worst=1: each step's worst minute by error rate and p99, from the minute cells; p99 only for ranges up to
   * 25 h, as the real server (worstP99MaxMs). Steps without requests get no entry.
   */
  private worstMinutes(
    from: number,
    to: number,
    step: number,
    filter: FixtureFilter,
  ): Map<number, NonNullable<TimeseriesPoint['worstMinute']>> {
    const minutes = new Map<number, Aggregate>();
    this.eachCell(from, to, filter, (i, minute) => {
      const acc = minutes.get(minute) ?? emptyAggregate();
      addCell(acc, minute, i, this.options);
      minutes.set(minute, acc);
    });
    const withP99 = to - from <= WORST_P99_MAX_MS;
    const worst = new Map<number, NonNullable<TimeseriesPoint['worstMinute']>>();
    for (const [minute, acc] of minutes) {
      if (acc.requests === 0) continue;
      const t = from + Math.floor((minute * MINUTE - from) / step) * step;
      const seen = worst.get(t) ?? { errorRate: null, p99: null };
      const p99 = withP99 ? quantile(acc.histogram, 0.99) : null;
      worst.set(t, {
        errorRate: Math.max(seen.errorRate ?? 0, acc.errors5xx / acc.requests),
        p99: p99 === null ? seen.p99 : Math.max(seen.p99 ?? 0, p99),
      });
    }
    return worst;
  }

  /** Visits every (endpoint, minute) in [from, to) that matches the filter and has been rolled up. */
  private eachCell(
    from: number,
    to: number,
    filter: FixtureFilter,
    visit: (i: number, minute: number) => void,
  ): void {
    const last = this.options.lastMetricMinute;
    if (last === null) return;
    const first = Math.ceil(from / MINUTE);
    const end = Math.min(Math.ceil(to / MINUTE), last / MINUTE + 1);
    FIXTURE_ENDPOINTS.forEach((ep, i) => {
      if (filter.service && ep.service !== filter.service) return;
      if (filter.method && ep.method !== filter.method) return;
      if (filter.path && ep.path !== filter.path) return;
      for (let m = first; m < end; m++) visit(i, m);
    });
  }
}

const SORT_KEYS: Record<EndpointsResponse['sort'], (r: EndpointRow) => number> = {
  errors: (r) => r.errors5xx,
  error_rate: (r) => r.errorRate,
  p95: (r) => r.p95 ?? -1,
  requests: (r) => r.requests,
};

/** The stand-in's traffic has no 1xx/3xx: everything below 400 is a 2xx. */
function statusClassesOf(acc: { requests: number; errors5xx: number; errors4xx: number }) {
  return {
    status1xx: 0,
    status2xx: acc.requests - acc.errors5xx - acc.errors4xx,
    status3xx: 0,
    statusUnknown: 0,
  };
}
