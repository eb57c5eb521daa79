import { buildCardinalityPanel } from './cardinality-panel.js';

const report = {
  from: 0,
  to: 3_600_000,
  services: 1001,
  routes: 1,
  overflowServiceRequests: 0,
  overflowRouteRequests: 0,
  servicesWithOverflowRoutes: 0,
  topOffenders: [],
  edges: 0,
  overflowEdgeCalls: 0,
  callersWithOverflowEdges: 0,
  topEdgeOffenders: [],
};

describe('buildCardinalityPanel', () => {
  it('says nothing was folded when no budget was reached', () => {
    expect(buildCardinalityPanel({ ...report, services: 1, routes: 1 })).toEqual({
      lines: [
        '1 service, 1 route stored',
        'No service past the service budget',
        'No route past a route budget',
        '0 service-map edges stored, none past the edge budget',
      ],
      folded: false,
      offenders: [],
      edgeOffenders: [],
    });
  });

  it('names the overflow and the services with the most folded routes', () => {
    const panel = buildCardinalityPanel({
      ...report,
      routes: 2500,
      overflowServiceRequests: 299_000,
      overflowRouteRequests: 1234,
      servicesWithOverflowRoutes: 2,
      topOffenders: [
        { service: 'search', overflowRequests: 1200 },
        { service: 'cart', overflowRequests: 34 },
      ],
    });
    expect(panel).toEqual({
      lines: [
        '1,001 services, 2,500 routes stored',
        '299,000 requests of services past the service budget, kept as :overflow',
        '1,234 requests of 2 services past the route budget, kept as /:overflow',
        '0 service-map edges stored, none past the edge budget',
      ],
      folded: true,
      offenders: [
        { service: 'search', requests: '1,200' },
        { service: 'cart', requests: '34' },
      ],
      edgeOffenders: [],
    });
  });

  it('names the calls folded past the edge budget and the callers with the most, and marks the panel', () => {
    const panel = buildCardinalityPanel({
      ...report,
      services: 3,
      edges: 10_001,
      overflowEdgeCalls: 2_500,
      callersWithOverflowEdges: 1,
      topEdgeOffenders: [{ caller: 'gateway', overflowCalls: 2_500 }],
    });
    expect(panel.lines[3]).toBe(
      '2,500 calls of 1 caller past the edge budget (10,001 edges stored), kept as :overflow',
    );
    expect(panel.folded).toBe(true);
    expect(panel.edgeOffenders).toEqual([{ caller: 'gateway', calls: '2,500' }]);
  });
});
