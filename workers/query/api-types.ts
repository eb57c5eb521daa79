/**
 * Response bodies of the query API (served with the dashboard). Times are ms since epoch (UTC), latencies ms.
 * Percentiles come from merged latency histograms, never from averaged percentiles: within 1% relative of the
 * latency at 0-based rank floor(q * (n - 1)), 0 for a zero latency, 12 significant digits (workers/rollup/README.md).
 * Every error is `{"error": {"code", "message", "field"?, "request_id"}}` with a 4xx/5xx status.
 */
export interface ServicesResponse {
  from: number;
  to: number;
  /** True when more rows matched than `limit` (or the events cap) let through: the list is the first ones only. */
  truncated: boolean;
  services: (SamplingEstimate & {
    service: string;
    requests: number;
    errors5xx: number;
    errorRate: number;
    /** With latency=1: the service's percentiles over the range, from merged histograms. */
    p50?: number | null;
    p95?: number | null;
    p99?: number | null;
    p999?: number | null;
  })[];
}

/**
 * Whether the counts are estimates: some of the requests they cover came from sampled spans and were counted as
 * their adjusted count (an OTLP span sampled at 25% counts 4; docs/opentelemetry.md). `estimatedRequests` is how
 * many of `requests` were counted so; data rolled up before this was stored reads as not estimated.
 */
export interface SamplingEstimate {
  estimated: boolean;
  estimatedRequests: number;
}

/**
 * Requests by status class besides errors4xx/errors5xx: requests = status1xx + status2xx + status3xx + errors4xx +
 * errors5xx + statusUnknown. statusUnknown counts the requests below 400 of data rolled up before the split was
 * stored (their class is unknown; never reported as 2xx or 0).
 */
export interface StatusClassCounts {
  status1xx: number;
  status2xx: number;
  status3xx: number;
  statusUnknown: number;
}

export interface TimeseriesPoint extends StatusClassCounts, SamplingEstimate {
  /** Start of the step. */
  t: number;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  /** errors5xx / requests; null when there were no requests. */
  errorRate: number | null;
  /** Requests per second over the step. */
  throughput: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** p99.9 of the step's merged histogram. */
  p999: number | null;
  /** Exact largest latency in the step (stored per minute row, not a histogram bucket); null without requests. */
  max: number | null;
  /**
   * With worst=1: the step's worst minute, from the minute rows. A 2-minute burst inside a 1-hour step is diluted in
   * `errorRate`/`p99` but stays here. Null when the step had no requests. `p99` is answered for ranges up to 25 h
   * only (a p99 per minute over a week costs tens of seconds); longer ranges get null.
   */
  worstMinute?: { errorRate: number | null; p99: number | null };
}

export interface TimeseriesResponse {
  from: number;
  to: number;
  stepMs: number;
  filter: { service?: string; method?: string; path?: string };
  points: TimeseriesPoint[];
  /** With compare=1d|7d: the same range shifted back, timestamps moved forward onto the current range. */
  compare?: { offset: '1d' | '7d'; points: TimeseriesPoint[] };
}

/**
 * GET /api/v1/latency-heatmap: each step's latency distribution, from the stored histograms merged per step and
 * folded into fixed bands (a 1-2-5 ladder from 0.1 ms to 100 s, workers/query/domain/latency-heatmap.ts). A stored
 * bucket counts in the band holding its representative value (what the percentiles report), so a request within 1%
 * of a band edge may count in the neighbouring band.
 */
export interface LatencyHeatmapResponse {
  from: number;
  to: number;
  stepMs: number;
  filter: { service?: string; method?: string; path?: string };
  /**
   * The bands from the lowest to the highest holding any request in the range, fastest first: (lowMs, highMs],
   * the first also holding zero latencies; highMs null for the open band above 100 s. Empty without requests.
   */
  bands: { lowMs: number; highMs: number | null }[];
  /** The largest count of any cell (the colour scale's top). */
  maxCount: number;
  /** One point per step from `from` to `to`: `counts[i]` requests in `bands[i]`, `total` their sum. */
  points: { t: number; total: number; counts: number[] }[];
}

export interface EndpointRow extends StatusClassCounts, SamplingEstimate {
  service: string;
  method: string;
  path: string;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  /** Exact largest latency of the endpoint in the range. */
  max: number | null;
  /** True for the route that collects paths past the service's route budget. */
  overflow: boolean;
}

export interface EndpointsResponse {
  from: number;
  to: number;
  sort: 'errors' | 'error_rate' | 'p95' | 'requests';
  /** True when more rows matched than `limit` (or the events cap) let through: the list is the first ones only. */
  truncated: boolean;
  /** Endpoints with at least `minRequests` requests in the range (all pages together). */
  total: number;
  /** The page's first row (the `offset` parameter). */
  offset: number;
  /** Endpoints with fewer requests are left out (`min_requests`, default 1). */
  minRequests: number;
  endpoints: EndpointRow[];
}

export interface FreshnessResponse {
  /** Start of the newest minute that has metrics, or null when there are none yet. */
  lastMetricMinute: number | null;
  /**
   * When the newest published hour was committed (wall clock of the manifest commit, ms), or null. It replaces
   * `lastRollupAt`, which was the start of the pass that committed. A commit after you sent facts does not mean
   * they are in: they reach the store when their WAL segment seals (GRAVIX_WAL_SEGMENT_AGE_MS) and count from
   * the first pass that lists them.
   */
  lastCommitAt: number | null;
  /**
   * @deprecated Same value as `lastCommitAt`, kept so clients written against the first API keep working; it used
   * to be the start of the pass, which made a client that compared it with its last acknowledgement conclude wrongly.
   */
  lastRollupAt: number | null;
  /**
   * The newest fact time (ms) that commit counts, or null (none yet, or a manifest from before this was recorded).
   * Facts with later timestamps are certainly not in the metrics yet; earlier ones may still be on their way.
   */
  newestEventAt: number | null;
  /**
   * When the rollup last finished a pass (any tenant's; wall clock, ms), or null when none has recorded one. It moves
   * on every pass, also when nothing new arrived, so an old `lastCommitAt` with a recent pass means traffic stopped,
   * not that the rollup is stuck.
   */
  lastRollupPassAt: number | null;
  /** now - (lastMetricMinute + 1 min), ms; null when there are no metrics. */
  lagMs: number | null;
  now: number;
}

export interface EventsResponse {
  from: number;
  to: number;
  /** True when more rows matched than `limit` (or the events cap) let through: the list is the first ones only. */
  truncated: boolean;
  events: { t: number; type: string; service: string; version: string | null; description: string | null }[];
}

/**
 * GET /api/v1/stored-cardinality: what the tenant's budgets did to the data stored over a range, read from the
 * rolled-up metrics (the ingest server's /api/v1/cardinality tells one ingester's budgets instead).
 */
export interface StoredCardinalityResponse {
  from: number;
  to: number;
  /** Distinct services with requests in the range, the overflow service `:overflow` included. */
  services: number;
  /** Distinct (service, method, path) with requests in the range, overflow routes included. */
  routes: number;
  /** Requests of services past the tenant's service budget, kept under the service `:overflow`. */
  overflowServiceRequests: number;
  /** Requests of routes past a service's route budget, kept under the route `/:overflow`. */
  overflowRouteRequests: number;
  /** How many services had routes folded into `/:overflow`. */
  servicesWithOverflowRoutes: number;
  /** The services with the most requests in `/:overflow`, most first (at most 10). */
  topOffenders: { service: string; overflowRequests: number }[];
  /** Distinct service-map edges (caller, callee) with calls in the range, the folded callee `:overflow` included. */
  edges: number;
  /** Calls of edges past the tenant's edge budget, kept under the callee `:overflow` (docs/adr/0096). */
  overflowEdgeCalls: number;
  /** How many callers had edges folded into `:overflow`. */
  callersWithOverflowEdges: number;
  /** The callers with the most calls folded into `:overflow`, most first (at most 10). */
  topEdgeOffenders: { caller: string; overflowCalls: number }[];
}

/**
 * GET /api/v1/exemplars: real requests behind the charts. Per minute and endpoint the rollup keeps the slowest
 * request and the latest 5xx among the facts that carried a trace id (OTLP spans always do); `slowest` lists the
 * range's slowest of those first, `error` its latest 5xx first.
 */
export interface ExemplarsResponse {
  from: number;
  to: number;
  kind: 'slowest' | 'error';
  /** True when more exemplars matched than `limit` let through. */
  truncated: boolean;
  exemplars: ExemplarItem[];
}

export interface ExemplarItem {
  /** When the request was made (ms). */
  t: number;
  /** Start of the minute (row) it was kept for. */
  minute: number;
  service: string;
  method: string;
  path: string;
  traceId: string;
  spanId: string | null;
  latencyMs: number;
  statusCode: number;
  /** The trace's page, from GRAVIX_TRACE_URL_TEMPLATE; null when none is configured. */
  traceUrl: string | null;
}

/** A service's or an edge's RED figures over a range: counts and percentiles of its merged histogram. */
export interface RedFigures extends SamplingEstimate {
  requests: number;
  errors5xx: number;
  /** errors5xx / requests; 0 without requests. */
  errorRate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * GET /api/v1/service-map (docs/adr/0085): the calls between services in [from, to), from OTLP CLIENT spans. An
 * edge's figures are the caller's view of the calls (its CLIENT spans); a node's `server` figures are the callee's
 * own requests (its SERVER spans and facts), null for a node that has none (a database named by `server.address`,
 * `:unresolved`, `:overflow`).
 */
export interface ServiceMapResponse {
  from: number;
  to: number;
  /** True when more edges matched than `limit` let through: the busiest `limit` edges only. */
  truncated: boolean;
  nodes: { service: string; server: RedFigures | null }[];
  edges: (RedFigures & { caller: string; callee: string })[];
}

/** GET /api/v1/service-map/edge: one edge's series, the points of /timeseries. */
export interface EdgeTimeseriesResponse {
  from: number;
  to: number;
  stepMs: number;
  caller: string;
  callee: string;
  points: TimeseriesPoint[];
}
