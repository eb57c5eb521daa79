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
};

describe('buildCardinalityPanel', () => {
  it('says nothing was folded when no budget was reached', () => {
    expect(buildCardinalityPanel({ ...report, services: 1, routes: 1 })).toEqual({
      lines: [
        '1 service, 1 route stored',
        'No service past the service budget',
        'No route past a route budget',
      ],
      folded: false,
      offenders: [],
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
      ],
      folded: true,
      offenders: [
        { service: 'search', requests: '1,200' },
        { service: 'cart', requests: '34' },
      ],
    });
  });
});
