import type { RedFigures, ServiceMapResponse } from '../api-types.js';
import { samplingEstimate } from '../domain/sampling-estimate.js';
import type { QueryEngine, SummaryRow } from './query-engine.js';

/** Edge limits of GET /api/v1/service-map (docs/query-api.md), as /services limits its rows. */
export const defaultServiceMapLimit = 100;
export const maxServiceMapLimit = 1000;

export interface ServiceMapRequest {
  tenant: string;
  from: number;
  to: number;
  /** The busiest `limit` edges by requests. */
  limit: number;
  signal?: AbortSignal;
}

function redFigures(row: SummaryRow): RedFigures {
  return {
    requests: row.requests,
    errors5xx: row.errors5xx,
    errorRate: row.requests > 0 ? row.errors5xx / row.requests : 0,
    ...samplingEstimate(row),
    p50: row.p50,
    p95: row.p95,
    p99: row.p99,
  };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The service map of a range (docs/adr/0085): the busiest edges from the edge tables (the engine ranks and cuts,
 * one row more tells truncation), then the server-side figures of every node they name from the service tables,
 * in one statement each. Percentiles come from merged histograms, as everywhere.
 */
export async function loadServiceMap(
  engine: QueryEngine,
  req: ServiceMapRequest,
): Promise<ServiceMapResponse> {
  const { tenant, from, to, limit, signal } = req;
  const edgeRows = await engine.summaries({
    tenant,
    from,
    to,
    source: 'edges',
    groupBy: 'endpoint',
    top: { by: 'requests', limit: limit + 1 },
    signal,
  });
  const edges = edgeRows
    .slice(0, limit)
    .map((r) => ({ caller: r.service!, callee: r.path!, ...redFigures(r) }))
    .sort((a, b) => b.requests - a.requests || byName(a.caller, b.caller) || byName(a.callee, b.callee));
  const names = [...new Set(edges.flatMap((e) => [e.caller, e.callee]))].sort(byName);
  const serverRows =
    names.length === 0
      ? []
      : await engine.summaries({ tenant, from, to, groupBy: 'service', services: names, signal });
  const servers = new Map(serverRows.map((r) => [r.service!, redFigures(r)]));
  const nodes = names.map((service) => ({ service, server: servers.get(service) ?? null }));
  return { from, to, truncated: edgeRows.length > limit, nodes, edges };
}

export interface EdgeTimeseriesRequest {
  tenant: string;
  from: number;
  to: number;
  stepMs: number;
  caller: string;
  callee: string;
  signal?: AbortSignal;
}

/** The step query of one edge: /timeseries' points over the edge tables (QueryService.edgeTimeseries). */
export function edgeSeriesQuery(req: EdgeTimeseriesRequest) {
  return {
    tenant: req.tenant,
    from: req.from,
    to: req.to,
    stepMs: req.stepMs,
    source: 'edges' as const,
    groupBy: 'step' as const,
    service: req.caller,
    path: req.callee,
    signal: req.signal,
  };
}
