import { readFileSync } from 'node:fs';
import { buildTenantCrd } from './gravix-tenant-crd.js';
import {
  InvalidTenantError,
  parseTenantObject,
  parseTenantsFile,
  renderTenantsFile,
} from './gravix-tenant.js';
import { renderTenantCrdYaml, TENANT_CRD_YAML_PATH } from './write-crd.js';

const tenantsYaml = `
tenants:
  - tenant: shop
    displayName: Shop team
    retention: { rawDays: 3, metricsDays: 30 }
    quotas: { eventsPerSecond: 500, bytesPerDay: 1073741824, services: 20, routesPerService: 100 }
    roles: { viewer: [shop-devs], admin: [shop-leads] }
  - tenant: billing
`;

describe('tenant schema', () => {
  it('reads a tenants file and fills every default', () => {
    const [shop, billing] = parseTenantsFile(tenantsYaml, 'tenants.yaml');
    expect(shop).toEqual({
      tenant: 'shop',
      displayName: 'Shop team',
      retention: { rawDays: 3, metricsDays: 30 },
      quotas: { eventsPerSecond: 500, bytesPerDay: 1073741824, services: 20, routesPerService: 100 },
      roles: { viewer: ['shop-devs'], operator: [], admin: ['shop-leads'] },
    });
    expect(billing).toEqual({
      tenant: 'billing',
      quotas: {},
      roles: { viewer: [], operator: [], admin: [] },
    });
  });

  it('reports every bad field at once, naming the file, the field and the value', () => {
    const bad = `tenants:\n  - tenant: Shop\n    quotas: { eventsPerSecond: 0, services: 1.5 }\n    retention: { rawDays: 9, metricsDays: 3 }\n`;
    expect(() => parseTenantsFile(bad, 't.yaml')).toThrow(
      new InvalidTenantError([
        't.yaml: tenants.0.tenant: must be 1-63 of a-z 0-9 - starting with a letter or digit (got "Shop")',
        't.yaml: tenants.0.retention.metricsDays: metricsDays must be at least rawDays (metrics are rebuilt from raw data while it is retained) (got 3)',
        't.yaml: tenants.0.quotas.eventsPerSecond: Too small: expected number to be >=1 (got 0)',
        't.yaml: tenants.0.quotas.services: Invalid input: expected int, received number (got 1.5)',
      ]),
    );
  });

  it('refuses a file that names a tenant twice and a file that is not YAML', () => {
    const twice = 'tenants:\n  - {tenant: a}\n  - {tenant: a}\n';
    expect(() => parseTenantsFile(twice, 't.yaml')).toThrow("t.yaml: tenants: tenant 'a' appears twice");
    expect(() => parseTenantsFile('tenants: [', 't.yaml')).toThrow('t.yaml: not YAML');
  });

  it('turns a custom resource into the settings the workers read, its name as the tenant id', () => {
    const { settings, spec, namespace } = parseTenantObject({
      apiVersion: 'gravix.dev/v1alpha1',
      kind: 'GravixTenant',
      metadata: { name: 'shop', namespace: 'obs' },
      spec: { pipelineRef: { name: 'main' }, quotas: { eventsPerSecond: 10 } },
    });
    expect(namespace).toBe('obs');
    expect(spec.pipelineRef).toEqual({ name: 'main' });
    expect(settings).toEqual({
      tenant: 'shop',
      quotas: { eventsPerSecond: 10 },
      roles: { viewer: [], operator: [], admin: [] },
    });
  });

  it('renders a tenants file the parser reads back, in tenant order whatever the input order', () => {
    const tenants = parseTenantsFile(tenantsYaml, 'tenants.yaml');
    const text = renderTenantsFile(tenants);
    expect(renderTenantsFile([...tenants].reverse())).toBe(text);
    expect(parseTenantsFile(text, 'rendered')).toEqual([tenants[1], tenants[0]]);
  });

  it('declares the retention rule in CEL, the tenant id rule on the name, and printer columns', () => {
    type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a manifest
    const crd = buildTenantCrd() as Json;
    const version = crd.spec.versions[0];
    const root = version.schema.openAPIV3Schema;
    expect(root['x-kubernetes-validations'][0].rule).toBe(
      "self.metadata.name.matches('^[a-z0-9][a-z0-9-]{0,62}$')",
    );
    expect(root.properties.spec.properties.retention['x-kubernetes-validations'][0].message).toBe(
      'metricsDays must be at least rawDays (metrics are rebuilt from raw data while it is retained)',
    );
    expect(root.properties.spec.required).toEqual(['pipelineRef']);
    expect(JSON.stringify(root)).not.toMatch(/oneOf|anyOf|additionalProperties":false/);
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Pipeline',
      'Display',
      'Events/s',
      'Status',
      'Reason',
      'Published',
      'Age',
    ]);
  });

  it('keeps the generated CRD YAML in step with the schema (regenerate: node dist/crds/write-crd.js)', () => {
    expect(readFileSync(TENANT_CRD_YAML_PATH, 'utf8')).toBe(renderTenantCrdYaml());
  });
});
