import { TENANT_AUTHORS_FILE } from '../cdk8s/tenant-authors-file.js';
import { TENANTS_FILE } from '../cdk8s/tenants-config.js';
import { buildTenantCrd, TENANT_API_VERSION, TENANT_KIND } from '../crds/gravix-tenant-crd.js';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import { resourcePath } from './adapters/resource-paths.js';
import type { RunningOperator } from './main.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from './testing/kube-test-env.js';
import {
  childPath,
  eventually,
  getOrUndefined,
  mergePatch,
  pipelinePath,
  startTestOperator,
} from './testing/operator-fixture.js';

/**
 * Issue #22 (docs/adr/0121), on a real kube-apiserver: the GravixTenant CRD is optional (pipelines run and the
 * operator is ready without it; its appearance starts the tenant watch), and a tenant whose spec turns invalid keeps
 * its last valid settings in the pipeline's tenants file instead of being dropped like a deleted one. The resync
 * and the unserved-kind retry are 10 minutes, so only the watches can bring what this test waits for.
 */
describe('GravixTenants when their CRD comes later, and a tenant spec that turns invalid', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;
  const tenantPath = (name?: string) =>
    resourcePath({ apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, namespace: 'default', name });
  const tenantsConfigMap = async () => {
    const cm = await getOrUndefined(env.client, childPath('v1', 'ConfigMap', 'shop-tenants'));
    return (cm?.data as Record<string, string> | undefined) ?? {};
  };
  const tenantStatus = async () =>
    (
      (await getOrUndefined(env.client, tenantPath('acme'))) as
        { status?: Record<string, unknown> } | undefined
    )?.status;

  beforeAll(async () => {
    env = await startKubeTestEnv({ tenants: false });
    operator = await startTestOperator(env, {
      GRAVIX_OPERATOR_RESYNC_SECONDS: '600',
      GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS: '600',
      GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS: '600',
    });
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  it('is ready and runs a pipeline without the GravixTenant CRD', async () => {
    await env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, 'shop') });
    await eventually('shop reconciled without the tenant CRD', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('shop'))) as
        { status?: { observedGeneration?: number } } | undefined;
      return p?.status?.observedGeneration === 1;
    });
    await eventually('the operator ready', async () => {
      const res = await fetch(`http://127.0.0.1:${operator.port}/readyz`).catch(() => undefined);
      return res?.ok;
    });
    expect(operator.ready()).toBe(true);
    expect((await tenantsConfigMap())[TENANTS_FILE]).toBe('tenants: []\n');
  });

  it('publishes a tenant made after its CRD is installed, through the watch the CRD starts', async () => {
    await installCrd(env.client, buildTenantCrd() as { metadata: { name: string } });
    await eventually(
      'the tenant kind served',
      () => getOrUndefined(env.client, tenantPath()).catch(() => undefined),
      30_000,
    );
    await env.client.request({
      method: 'POST',
      path: tenantPath(),
      body: {
        apiVersion: TENANT_API_VERSION,
        kind: TENANT_KIND,
        metadata: { name: 'acme', namespace: 'default' },
        spec: { pipelineRef: { name: 'shop' }, quotas: { eventsPerSecond: 100 } },
      },
    });
    await eventually('acme Accepted and in the tenants file', async () => {
      const status = await tenantStatus();
      const file = (await tenantsConfigMap())[TENANTS_FILE] ?? '';
      return (
        status?.['phase'] === 'Accepted' && file.includes('eventsPerSecond: 100') && file.includes('acme')
      );
    });
  });

  it('keeps the last valid settings of a tenant whose spec turns invalid, and says so in its status', async () => {
    const before = await tenantsConfigMap();
    // A spec the current CRD refuses gets stored under a looser one (an older schema, an upgrade gone halfway).
    const loose = buildTenantCrd() as {
      metadata: { name: string };
      spec: { versions: { schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }[] };
    };
    for (const version of loose.spec.versions)
      version.schema.openAPIV3Schema.properties['spec'] = {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
      };
    await installCrd(env.client, loose);
    await eventually(
      'the invalid spec stored',
      () =>
        mergePatch(env.client, tenantPath('acme'), { spec: { quotas: { eventsPerSecond: 0 } } }).catch(
          () => undefined,
        ),
      30_000,
    );
    const status = await eventually('acme Rejected with InvalidSpec', async () => {
      const s = await tenantStatus();
      return s?.['reason'] === 'InvalidSpec' ? s : undefined;
    });
    expect(status).toEqual({
      observedGeneration: 2,
      phase: 'Rejected',
      reason: 'InvalidSpec',
      published: true,
      message:
        "the last valid settings (generation 1) stay in the pipeline's tenants file; invalid tenant: " +
        'spec.quotas.eventsPerSecond: Too small: expected number to be >=1 (got 0)',
    });
    // Its quota, its author (no change audited) and no tombstone: the ConfigMap is what it was.
    const after = await tenantsConfigMap();
    expect(after[TENANTS_FILE]).toBe(before[TENANTS_FILE]);
    expect(after[TENANT_AUTHORS_FILE]).toBe(before[TENANT_AUTHORS_FILE]);

    // Fixed: the new settings are published.
    await mergePatch(env.client, tenantPath('acme'), { spec: { quotas: { eventsPerSecond: 300 } } });
    await eventually('the fixed spec published', async () => {
      const file = (await tenantsConfigMap())[TENANTS_FILE] ?? '';
      return (await tenantStatus())?.['phase'] === 'Accepted' && file.includes('eventsPerSecond: 300');
    });
  });
});
