import { parse } from 'yaml';
import { parseTenantAuthors } from '../cdk8s/tenant-authors-file.js';
import { TENANT_API_VERSION, TENANT_KIND } from '../crds/gravix-tenant-crd.js';
import { parseTenantsFile } from '../crds/gravix-tenant.js';
import type { TenantStatus } from '../crds/gravix-tenant-spec.js';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineSpecInput } from '../crds/gravix-pipeline-spec.js';
import type { KubeObject } from './adapters/kube-client.js';
import { resourcePath } from './adapters/resource-paths.js';
import type { RunningOperator } from './main.js';
import { startKubeTestEnv, type KubeTestEnv } from './testing/kube-test-env.js';
import {
  childPath,
  eventually,
  getOrUndefined,
  mergePatch,
  pipelinePath,
  startTestOperator,
} from './testing/operator-fixture.js';

type Container = {
  name: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodTemplate = {
  metadata: { annotations?: Record<string, string> };
  spec: { containers: Container[]; volumes: { name: string; [k: string]: unknown }[] };
};
type Workload = KubeObject & { spec: { template: PodTemplate } };
type Tenant = KubeObject & { metadata: { generation: number }; status?: TenantStatus };

/**
 * What the operator passes from CRs and Secrets to the workers (issues #21, #22, #16/#20), on a real kube-apiserver:
 * the trace URL template to the query pods, the alert channels' Secret keys as mounted files, and the pipeline's
 * GravixTenants as a tenants ConfigMap the workers mount, with each tenant's status written back. No kubelet runs
 * here: that a running pod picks the changes up is the cluster e2e's and the workers' own tests' part.
 */
describe('gravix operator: settings from CRs and Secrets reach the worker pods', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;

  beforeAll(async () => {
    env = await startKubeTestEnv();
    operator = await startTestOperator(env);
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  const get = (path: string) => getOrUndefined(env.client, path);
  const createPipeline = (name: string, spec: PipelineSpecInput = {}) =>
    env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject(spec, name) });
  const workload = (kind: 'Deployment' | 'StatefulSet', name: string) =>
    eventually(`${kind} ${name}`, () => get(childPath('apps/v1', kind, name))) as Promise<Workload>;
  const configMap = async (name: string) =>
    (await get(childPath('v1', 'ConfigMap', name))) as
      (KubeObject & { data: Record<string, string> }) | undefined;
  const tenantPath = (name?: string) =>
    resourcePath({ apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, namespace: 'default', name });
  const createTenant = (name: string, pipeline: string, spec: Record<string, unknown> = {}) =>
    env.client.request<Tenant>({
      method: 'POST',
      path: tenantPath(),
      query: { fieldManager: 'tenant-admin' },
      body: {
        apiVersion: TENANT_API_VERSION,
        kind: TENANT_KIND,
        metadata: { name, namespace: 'default' },
        spec: { pipelineRef: { name: pipeline }, ...spec },
      },
    });
  const tenantStatus = (name: string, wanted: (s: TenantStatus | undefined) => boolean) =>
    eventually(`tenant ${name} status`, async () => {
      const t = (await get(tenantPath(name))) as Tenant | undefined;
      return t && wanted(t.status) ? t : undefined;
    });
  const publishedTenants = async (pipeline: string) => {
    const cm = await configMap(`${pipeline}-tenants`);
    return cm ? parseTenantsFile(cm.data['tenants.yaml']!, 'ConfigMap') : undefined;
  };

  it('passes spec.query.traceUrlTemplate to the query pods, and a change rolls only them', async () => {
    const template = 'http://jaeger-query.observability.svc:16686/trace/{traceId}';
    await createPipeline('traced', { query: { traceUrlTemplate: template } });
    const query = await workload('Deployment', 'traced-query');
    expect(query.spec.template.spec.containers[0]!.env).toContainEqual({
      name: 'GRAVIX_TRACE_URL_TEMPLATE',
      value: template,
    });
    const ingest = await workload('StatefulSet', 'traced-ingest');
    const next = 'https://grafana.example.com/explore?trace={traceId}&span={spanId}';
    await mergePatch(env.client, pipelinePath('traced'), { spec: { query: { traceUrlTemplate: next } } });
    await eventually('query env updated', async () => {
      const q = (await get(childPath('apps/v1', 'Deployment', 'traced-query'))) as Workload;
      return q.spec.template.spec.containers[0]!.env?.some((e) => e.value === next);
    });
    const after = (await get(childPath('apps/v1', 'StatefulSet', 'traced-ingest'))) as Workload;
    expect(after.spec.template).toEqual(ingest.spec.template);
  });

  it('passes spec.query.oidc to the query pods, the client secret as a file of a projected Secret volume', async () => {
    await createPipeline('signin', {
      ingress: { enabled: true, host: 'gravix.example.com', tlsSecretName: 'gravix-tls' },
      query: {
        oidc: {
          issuer: 'https://dex.example.com/dex',
          clientId: 'gravix',
          clientSecretRef: { name: 'oidc-client', key: 'secret' },
        },
      },
    });
    const pod = (await workload('Deployment', 'signin-query')).spec.template.spec;
    const env = pod.containers[0]!.env;
    // As the apiserver stored it: a projected volume the kubelet keeps current, mounted without subPath.
    expect(pod.volumes).toContainEqual({
      name: 'oidc-client-secret',
      projected: {
        defaultMode: 0o440,
        sources: [{ secret: { name: 'oidc-client', items: [{ key: 'secret', path: 'client-secret' }] } }],
      },
    });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({
      name: 'oidc-client-secret',
      mountPath: '/etc/gravix/oidc',
      readOnly: true,
    });
    expect(env?.some((e) => e.name === 'GRAVIX_OIDC_CLIENT_SECRET')).toBe(false);
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'GRAVIX_OIDC_ISSUER', value: 'https://dex.example.com/dex' },
        { name: 'GRAVIX_OIDC_CLIENT_ID', value: 'gravix' },
        { name: 'GRAVIX_OIDC_CLIENT_SECRET_FILE', value: '/etc/gravix/oidc/client-secret' },
        { name: 'GRAVIX_OIDC_REDIRECT_URL', value: 'https://gravix.example.com/api/v1/auth/callback' },
        { name: 'GRAVIX_TENANTS_FILE', value: '/etc/gravix/tenants/tenants.yaml' },
      ]),
    );
  });

  it('mounts alert channel Secret keys as files the channels file names, never as env vars', async () => {
    await createPipeline('alerting', {
      alerts: {
        enabled: true,
        channels: [
          { name: 'team-slack', type: 'slack', urlSecretRef: { name: 'hooks', key: 'slack-url' } },
          {
            name: 'pager',
            type: 'webhook',
            urlSecretRef: { name: 'hooks', key: 'pager-url' },
            hmacSecretRef: { name: 'signing', key: 'pager-hmac' },
          },
        ],
      },
    });
    const alert = await workload('Deployment', 'alerting-alert');
    const pod = alert.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'alert-channel-secrets',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'hooks', items: [{ key: 'slack-url', path: 'team-slack/url' }] } },
          { secret: { name: 'hooks', items: [{ key: 'pager-url', path: 'pager/url' }] } },
          { secret: { name: 'signing', items: [{ key: 'pager-hmac', path: 'pager/hmac' }] } },
        ],
      },
    });
    const container = pod.containers.find((c) => c.name === 'alert')!;
    expect(container.volumeMounts).toContainEqual({
      name: 'alert-channel-secrets',
      mountPath: '/etc/gravix/alert-channel-secrets',
      readOnly: true,
    });
    expect(JSON.stringify(container.env)).not.toMatch(/hooks|signing/);
    const channels = (await eventually('channels ConfigMap', () => configMap('alerting-alert-channels')))!;
    expect(parse(channels.data['channels.yaml']!)).toEqual({
      channels: [
        {
          name: 'team-slack',
          type: 'slack',
          url: { file: '/etc/gravix/alert-channel-secrets/team-slack/url' },
        },
        {
          name: 'pager',
          type: 'webhook',
          url: { file: '/etc/gravix/alert-channel-secrets/pager/url' },
          secret: { file: '/etc/gravix/alert-channel-secrets/pager/hmac' },
        },
      ],
    });
  });

  it('renders the pipeline’s GravixTenants into its tenants ConfigMap, owned by the pipeline, with each status', async () => {
    const pipeline = (await createPipeline('tenanted')) as KubeObject & { metadata: { uid: string } };
    await createTenant('acme', 'tenanted', { displayName: 'Acme', quotas: { eventsPerSecond: 100 } });
    await createTenant('other', 'someone-else');
    const published = await eventually('acme published', async () => {
      const tenants = await publishedTenants('tenanted');
      return tenants?.some((t) => t.tenant === 'acme') ? tenants : undefined;
    });
    expect(published).toEqual([
      {
        tenant: 'acme',
        displayName: 'Acme',
        quotas: { eventsPerSecond: 100 },
        roles: { viewer: [], operator: [], admin: [] },
      },
    ]);
    const cm = (await configMap('tenanted-tenants'))!;
    expect(cm.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'GravixPipeline',
        name: 'tenanted',
        uid: pipeline.metadata.uid,
        controller: true,
      }),
    ]);
    const acme = await tenantStatus('acme', (s) => s?.phase === 'Accepted');
    expect(acme.status).toEqual({
      observedGeneration: 1,
      phase: 'Accepted',
      reason: 'Published',
      published: true,
      message: "in the pipeline's tenants file",
    });
    expect(parse(cm.data['tenant-authors.yaml']!)).toEqual({
      tenants: { acme: { uid: acme.metadata?.uid, generation: 1, actor: 'manager:tenant-admin' } },
    });
    // The ingest, query and rollup pods mount it and point GRAVIX_TENANTS_FILE at it.
    for (const [kind, name] of [
      ['StatefulSet', 'tenanted-ingest'],
      ['Deployment', 'tenanted-query'],
      ['Deployment', 'tenanted-rollup'],
    ] as const) {
      const pod = (await workload(kind, name)).spec.template.spec;
      expect(pod.volumes).toContainEqual({
        name: 'tenants',
        configMap: { name: 'tenanted-tenants', defaultMode: 0o644 },
      });
      expect(pod.containers[0]!.env).toContainEqual({
        name: 'GRAVIX_TENANTS_FILE',
        value: '/etc/gravix/tenants/tenants.yaml',
      });
    }
    // A tenant naming a pipeline that does not exist is told so.
    const other = await tenantStatus('other', (s) => s?.phase === 'Rejected');
    expect(other.status).toMatchObject({
      reason: 'PipelineNotFound',
      message: 'GravixPipeline someone-else does not exist in this namespace',
      published: false,
    });
  });

  it('updates the tenants file in place when a tenant changes or goes, without touching any pod template', async () => {
    await createPipeline('quotas');
    await createTenant('shop', 'quotas', { quotas: { eventsPerSecond: 50 } });
    await createTenant('billing', 'quotas');
    await eventually('two tenants published', async () => (await publishedTenants('quotas'))?.length === 2);
    await tenantStatus('shop', (s) => s?.observedGeneration === 1);
    const ingest = await workload('StatefulSet', 'quotas-ingest');

    await mergePatch(env.client, tenantPath('shop'), { spec: { quotas: { eventsPerSecond: 75 } } });
    await eventually('shop quota 75 published', async () =>
      (await publishedTenants('quotas'))?.some((t) => t.tenant === 'shop' && t.quotas.eventsPerSecond === 75),
    );
    await tenantStatus('shop', (s) => s?.observedGeneration === 2 && s.phase === 'Accepted');

    const billingUid = String(((await get(tenantPath('billing'))) as Tenant).metadata.uid);
    const deletedAt = Date.now();
    await env.client.request({ method: 'DELETE', path: tenantPath('billing') });
    await eventually('billing dropped', async () => {
      const tenants = await publishedTenants('quotas');
      return tenants?.length === 1 && tenants[0]!.tenant === 'shop';
    });
    // Its uid is tombstoned beside the authors, so the query replicas audit the deletion at once (docs/adr/0097).
    const authors = parseTenantAuthors((await configMap('quotas-tenants'))!.data['tenant-authors.yaml']!);
    expect(Object.keys(authors.tenants)).toEqual(['shop']);
    expect(authors.deleted).toEqual({ [billingUid]: { tenant: 'billing', at: expect.any(Number) } });
    expect(Math.abs(authors.deleted[billingUid]!.at - deletedAt)).toBeLessThan(30_000);
    const after = (await get(childPath('apps/v1', 'StatefulSet', 'quotas-ingest'))) as Workload;
    expect(after.spec.template).toEqual(ingest.spec.template);
  });

  it('moves a tenant whose pipelineRef changes out of the old pipeline’s file and into the new one’s', async () => {
    await createPipeline('from');
    await createPipeline('to');
    await createTenant('mover', 'from');
    await eventually('mover in from', async () => (await publishedTenants('from'))?.length === 1);
    await mergePatch(env.client, tenantPath('mover'), { spec: { pipelineRef: { name: 'to' } } });
    await eventually('mover in to', async () => (await publishedTenants('to'))?.length === 1);
    await eventually('mover out of from', async () => (await publishedTenants('from'))?.length === 0);
  });
});
