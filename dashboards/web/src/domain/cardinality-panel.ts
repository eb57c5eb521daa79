import type { StoredCardinalityResponse } from '../../../../workers/query/api-types.js';
import { formatCount } from './format.js';

export interface CardinalityPanel {
  /** One line each: distinct services, distinct routes, what was folded into overflow. */
  lines: string[];
  /** Whether any budget folded data (the panel is then marked as a warning). */
  folded: boolean;
  offenders: { service: string; requests: string }[];
  /** The callers with the most calls folded into the callee `:overflow` (service map, docs/adr/0096). */
  edgeOffenders: { caller: string; calls: string }[];
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** What the cardinality panel says about a report (pure, so the wording is unit-tested). */
export function buildCardinalityPanel(report: StoredCardinalityResponse): CardinalityPanel {
  const folded =
    report.overflowServiceRequests > 0 || report.overflowRouteRequests > 0 || report.overflowEdgeCalls > 0;
  const lines = [
    `${plural(report.services, 'service', 'services')}, ${plural(report.routes, 'route', 'routes')} stored`,
    report.overflowServiceRequests > 0
      ? `${plural(report.overflowServiceRequests, 'request', 'requests')} of services past the service budget, kept as :overflow`
      : 'No service past the service budget',
    report.overflowRouteRequests > 0
      ? `${plural(report.overflowRouteRequests, 'request', 'requests')} of ${plural(report.servicesWithOverflowRoutes, 'service', 'services')} past the route budget, kept as /:overflow`
      : 'No route past a route budget',
    report.overflowEdgeCalls > 0
      ? `${plural(report.overflowEdgeCalls, 'call', 'calls')} of ${plural(report.callersWithOverflowEdges, 'caller', 'callers')} past the edge budget (${plural(report.edges, 'edge', 'edges')} stored), kept as :overflow`
      : `${plural(report.edges, 'service-map edge', 'service-map edges')} stored, none past the edge budget`,
  ];
  const offenders = report.topOffenders.map((o) => ({
    service: o.service,
    requests: formatCount(o.overflowRequests),
  }));
  const edgeOffenders = report.topEdgeOffenders.map((o) => ({
    caller: o.caller,
    calls: formatCount(o.overflowCalls),
  }));
  return { lines, folded, offenders, edgeOffenders };
}
