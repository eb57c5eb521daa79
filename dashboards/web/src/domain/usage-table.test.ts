import { buildUsageTable } from './usage-table.js';

const usage = {
  eventsPerSecond: 1500.25,
  day: '2026-12-03',
  bytesToday: 3 * 1024 ** 3,
  ingestReplicas: 2,
  services: 12,
  routes: 340,
  servicesAtRouteQuota: 1,
};

describe('usage table', () => {
  it('shows each quota beside its usage with a percentage, and marks a quota reached', () => {
    const html = buildUsageTable({
      tenant: 'shop',
      displayName: '<b>Shop</b>',
      quotas: { eventsPerSecond: 2000, bytesPerDay: 2 * 1024 ** 3, routesPerService: 100 },
      usage,
    });
    expect(html).toContain('Tenant <strong>&lt;b&gt;Shop&lt;/b&gt;</strong> · 2 ingest replicas');
    expect(html).toContain('<span>1,500.3 of 2,000 (75%)</span>');
    expect(html).toContain('<span class="field-error">3 GiB of 2 GiB (150%)</span>');
    expect(html).toContain('12 <span class="muted">(no quota)</span>');
    expect(html).toContain('(quota: 100 per service; 1 services reached it)');
  });

  it('names the tenant by its id when it has no display name, and says when nothing is limited', () => {
    const html = buildUsageTable({ tenant: 'billing', displayName: null, quotas: {}, usage });
    expect(html).toContain('<strong>billing</strong>');
    expect(html.match(/no quota/g)).toHaveLength(3);
  });
});
