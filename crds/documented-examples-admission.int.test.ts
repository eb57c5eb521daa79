import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from '../operator/testing/kube-test-env.js';
import { buildAlertRuleCrd } from './gravix-alert-rule-crd.js';
import { buildPipelineCrd } from './gravix-pipeline-crd.js';
import { buildTenantCrd } from './gravix-tenant-crd.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

/** Every whole Gravix object a guide shows as YAML (a block with apiVersion, kind and metadata). */
function documentedObjects(doc: string): Manifest[] {
  const text = readFileSync(repoPath('docs', doc), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => parse(m[1]!) as Partial<Manifest> | null)
    .filter((o): o is Manifest => !!o?.apiVersion?.startsWith('gravix.dev/') && !!o.kind && !!o.metadata);
}

const plural = {
  GravixPipeline: 'gravixpipelines',
  GravixTenant: 'gravixtenants',
  GravixAlertRule: 'gravixalertrules',
};

/**
 * The GravixTenant and GravixAlertRule a newcomer copies from docs/install-on-kubernetes.md are admitted by the
 * real apiserver with strict field validation, as `kubectl apply` sends them. Probe 3 found the guide without any
 * such object (only a tenants file and a pipeline's `spec.alerts`), so a newcomer had to guess apiVersion and fields.
 */
describe('the objects docs/install-on-kubernetes.md shows, on a real kube-apiserver', () => {
  let env: KubeTestEnv;
  const objects = documentedObjects('install-on-kubernetes.md');

  beforeAll(async () => {
    env = await startKubeTestEnv();
    for (const crd of [buildPipelineCrd(), buildTenantCrd(), buildAlertRuleCrd()])
      await installCrd(env.client, crd as { metadata: { name: string } });
    await env.client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gravix' } },
    });
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('shows a GravixTenant and a GravixAlertRule', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['GravixAlertRule', 'GravixTenant']);
  });

  it.each(objects.map((o) => [o.kind, o] as const))('admits its %s as written', async (kind, object) => {
    const [group, version] = object.apiVersion.split('/');
    const path = `/apis/${group}/${version}/namespaces/${object.metadata.namespace}/${plural[kind as keyof typeof plural]}`;
    await env.client.request({ method: 'POST', path: `${path}?fieldValidation=Strict`, body: object });
    const stored = await env.client.request<Manifest>({
      method: 'GET',
      path: `${path}/${object.metadata.name}`,
    });
    expect(stored.metadata.name).toBe(object.metadata.name);
  });
});
