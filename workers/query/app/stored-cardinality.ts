import { overflowRoute, overflowService } from '../../domain/request-vocabulary.js';
import type { StoredCardinalityResponse } from '../api-types.js';
import type { QueryEngine } from './query-engine.js';

/** Top offenders the report lists; the dashboard panel shows them all. */
export const topOffendersLimit = 10;

/**
 * The cardinality report over the rolled-up data: distinct services and routes are the `matched` window counts of
 * a one-row top query (the engine counts the groups and returns one), overflow from the overflow service and the
 * overflow route. Statements run one after another: they share the tenant's concurrency budget with the page.
 */
export async function loadStoredCardinality(
  engine: QueryEngine,
  tenant: string,
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<StoredCardinalityResponse> {
  const range = { tenant, from, to, signal };
  const one = { by: 'requests' as const, limit: 1 };
  const [service] = await engine.counts({ ...range, groupBy: 'service', top: one });
  const [route] = await engine.counts({ ...range, groupBy: 'endpoint', top: one });
  const overflowServices = await engine.counts({ ...range, groupBy: 'service', service: overflowService });
  const offenders = await engine.counts({
    ...range,
    groupBy: 'service',
    path: overflowRoute,
    top: { by: 'requests', limit: topOffendersLimit },
  });
  const folded = await engine.counts({ ...range, groupBy: 'step', stepMs: to - from, path: overflowRoute });
  const sum = (rows: { requests: number }[]) => rows.reduce((n, r) => n + r.requests, 0);
  const edges = await loadFoldedEdges(engine, range);
  return {
    from,
    to,
    services: service?.matched ?? 0,
    routes: route?.matched ?? 0,
    overflowServiceRequests: sum(overflowServices),
    overflowRouteRequests: sum(folded),
    servicesWithOverflowRoutes: offenders[0]?.matched ?? 0,
    topOffenders: offenders.map((r) => ({ service: r.service!, overflowRequests: r.requests })),
    ...edges,
  };
}

type EdgeCardinality = Pick<
  StoredCardinalityResponse,
  'edges' | 'overflowEdgeCalls' | 'callersWithOverflowEdges' | 'topEdgeOffenders'
>;

/**
 * The service map's share of the report, from the edge tables (caller as service, callee as path): distinct edges,
 * and the calls folded into the callee `:overflow` past the tenant's edge budget (RouteBudget.admitEdge), by caller.
 */
async function loadFoldedEdges(
  engine: QueryEngine,
  range: { tenant: string; from: number; to: number; signal?: AbortSignal | undefined },
): Promise<EdgeCardinality> {
  const edges = { ...range, source: 'edges' as const };
  const [edge] = await engine.counts({ ...edges, groupBy: 'endpoint', top: { by: 'requests', limit: 1 } });
  const offenders = await engine.counts({
    ...edges,
    groupBy: 'service',
    path: overflowService,
    top: { by: 'requests', limit: topOffendersLimit },
  });
  const folded = await engine.counts({
    ...edges,
    groupBy: 'step',
    stepMs: range.to - range.from,
    path: overflowService,
  });
  return {
    edges: edge?.matched ?? 0,
    overflowEdgeCalls: folded.reduce((n, r) => n + r.requests, 0),
    callersWithOverflowEdges: offenders[0]?.matched ?? 0,
    topEdgeOffenders: offenders.map((r) => ({ caller: r.service!, overflowCalls: r.requests })),
  };
}
