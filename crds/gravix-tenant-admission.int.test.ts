import { buildTenantCrd, TENANT_API_VERSION, TENANT_KIND } from './gravix-tenant-crd.js';
import { parseTenantObject } from './gravix-tenant.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from '../operator/testing/kube-test-env.js';

const path = (name = '') =>
  `/apis/gravix.dev/v1alpha1/namespaces/default/gravixtenants${name ? `/${name}` : ''}`;
const object = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: TENANT_API_VERSION,
  kind: TENANT_KIND,
  metadata: { name, namespace: 'default' },
  spec: { pipelineRef: { name: 'main' }, ...spec },
});

/** The generated GravixTenant CRD on a real apiserver: it admits what the schema parses and refuses what it refuses. */
describe('GravixTenant admission on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
    await installCrd(env.client, buildTenantCrd() as { metadata: { name: string } });
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('stores a tenant with the defaults the file parser fills', async () => {
    const body = object('shop', {
      displayName: 'Shop',
      retention: { rawDays: 3, metricsDays: 30 },
      quotas: { eventsPerSecond: 500, bytesPerDay: 1073741824, services: 20, routesPerService: 100 },
      roles: { admin: ['shop-leads'] },
    });
    await env.client.request({ method: 'POST', path: path(), body });
    const stored = await env.client.request<unknown>({ method: 'GET', path: path('shop') });
    expect((stored as { spec: unknown }).spec).toEqual(parseTenantObject(body).spec);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    [
      'raw data kept longer than its metrics',
      'backwards',
      { retention: { rawDays: 9, metricsDays: 3 } },
      'metricsDays must be at least rawDays (metrics are rebuilt from raw data while it is retained)',
    ],
    ['a zero rate quota', 'zero-rate', { quotas: { eventsPerSecond: 0 } }, 'spec.quotas.eventsPerSecond'],
    [
      'a missing pipeline reference',
      'no-pipeline',
      { pipelineRef: undefined },
      'spec.pipelineRef: Required value',
    ],
    [
      'a name that is no tenant id',
      'shop.eu',
      {},
      'metadata.name is the tenant id: 1-63 of a-z 0-9 - starting with a letter or digit',
    ],
  ])('refuses %s', async (_what, name, spec, message) => {
    await expect(
      env.client.request({ method: 'POST', path: path(), body: object(name, spec) }),
    ).rejects.toThrow(message);
  });
});
