import { pino } from 'pino';
import { startKubeApiserver } from '../testbin/harness/kube-apiserver.js';
import { CRD_NAME, GROUP, KIND, PLURAL } from '../crds/gravix-pipeline-crd.js';
import { upgradePipelineCrd } from './adapters/crd-upgrade.js';
import { KubeClient, type KubeObject } from './adapters/kube-client.js';
import { loadKubeconfigFile } from './adapters/kube-connection.js';
import type { RunningOperator } from './main.js';
import { installCrd, type KubeTestEnv } from './testing/kube-test-env.js';
import { childPath, eventually, getOrUndefined, startTestOperator } from './testing/operator-fixture.js';
import { previousReleaseCrd } from './testing/previous-release-crd.js';

/**
 * Issue #16, CRD versioning (docs/adr/0070) on a real kube-apiserver: pipelines created under the previous
 * release's CRD (v1alpha1 only) survive the upgrade to v1beta1 storage, readable as both versions, stored in
 * etcd as v1beta1, with v1alpha1 gone from status.storedVersions, and the operator reconciles them.
 */
type Pipeline = KubeObject & {
  metadata: { name: string; uid: string; generation: number };
  spec: Record<string, unknown>;
  status?: { observedGeneration?: number };
};
type Crd = { status: { storedVersions: string[] } };

const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`;
const path = (version: string, namespace: string, name = '') =>
  `/apis/${GROUP}/${version}/namespaces/${namespace}/${PLURAL}${name ? `/${name}` : ''}`;
const OLD = [
  { namespace: 'default', name: 'before', spec: { retentionDays: 9 } },
  { namespace: 'default', name: 'with-cube', spec: { cube: { enabled: true } } },
  { namespace: 'team-b', name: 'elsewhere', spec: { ingestion: { replicas: 2 } } },
];

describe('GravixPipeline v1alpha1 -> v1beta1 upgrade on a real kube-apiserver', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator | undefined;
  const logger = pino({ level: 'silent' });

  /** What etcd holds for a pipeline: the apiVersion it was encoded in. */
  const storedApiVersion = async (namespace: string, name: string) => {
    const key = Buffer.from(`/registry/${GROUP}/${PLURAL}/${namespace}/${name}`).toString('base64');
    const res = await fetch(`${env.apiserver.etcdUrl}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key }),
    });
    const body = (await res.json()) as { kvs?: { value: string }[] };
    const value = body.kvs?.[0]?.value;
    if (!value) throw new Error(`etcd holds nothing for ${namespace}/${name}`);
    return (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { apiVersion: string }).apiVersion;
  };

  beforeAll(async () => {
    const apiserver = await startKubeApiserver();
    const client = new KubeClient(loadKubeconfigFile(apiserver.kubeconfigPath));
    env = {
      apiserver,
      client,
      stop: async () => {
        client.close();
        await apiserver.stop();
      },
    };
    await installCrd(client, previousReleaseCrd() as { metadata: { name: string } });
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'team-b' } },
    });
    for (const p of OLD)
      await client.request({
        method: 'POST',
        path: path('v1alpha1', p.namespace),
        body: { apiVersion: `${GROUP}/v1alpha1`, kind: KIND, metadata: { name: p.name }, spec: p.spec },
      });
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  it('starts from objects stored as v1alpha1 under the previous release', async () => {
    for (const p of OLD) expect(await storedApiVersion(p.namespace, p.name)).toBe(`${GROUP}/v1alpha1`);
    const crd = await env.client.request<Crd>({ method: 'GET', path: crdPath });
    expect(crd.status.storedVersions).toEqual(['v1alpha1']);
  });

  it('rewrites every stored pipeline as v1beta1 and leaves only v1beta1 in storedVersions', async () => {
    const before = await Promise.all(
      OLD.map((p) =>
        env.client.request<Pipeline>({ method: 'GET', path: path('v1alpha1', p.namespace, p.name) }),
      ),
    );
    const result = await upgradePipelineCrd(env.client, logger, 60_000);
    expect(result).toEqual({ rewritten: OLD.length, dropped: ['v1alpha1'] });
    const crd = await env.client.request<Crd>({ method: 'GET', path: crdPath });
    expect(crd.status.storedVersions).toEqual(['v1beta1']);
    for (const [i, p] of OLD.entries()) {
      expect(await storedApiVersion(p.namespace, p.name)).toBe(`${GROUP}/v1beta1`);
      const asBeta = await env.client.request<Pipeline>({
        method: 'GET',
        path: path('v1beta1', p.namespace, p.name),
      });
      const asAlpha = await env.client.request<Pipeline>({
        method: 'GET',
        path: path('v1alpha1', p.namespace, p.name),
      });
      expect(asBeta.apiVersion).toBe(`${GROUP}/v1beta1`);
      expect(asAlpha.apiVersion).toBe(`${GROUP}/v1alpha1`);
      // Same object, same fields, whichever version it is read as; the rewrite changed no spec (same generation).
      expect(asBeta.spec).toEqual(before[i]!.spec);
      expect(asAlpha.spec).toEqual(before[i]!.spec);
      expect(asBeta.metadata.uid).toBe(before[i]!.metadata.uid);
      expect(asBeta.metadata.generation).toBe(before[i]!.metadata.generation);
    }
  });

  it('is idempotent: a second run rewrites again and has no version left to drop', async () => {
    expect(await upgradePipelineCrd(env.client, logger, 60_000)).toEqual({
      rewritten: OLD.length,
      dropped: [],
    });
  });

  it('still accepts v1alpha1 manifests after the upgrade (served, deprecated), stored as v1beta1', async () => {
    await env.client.request({
      method: 'POST',
      path: path('v1alpha1', 'default'),
      body: { apiVersion: `${GROUP}/v1alpha1`, kind: KIND, metadata: { name: 'late' }, spec: {} },
    });
    expect(await storedApiVersion('default', 'late')).toBe(`${GROUP}/v1beta1`);
  });

  it('lets the operator reconcile a pipeline created before the upgrade, owning its children as v1beta1', async () => {
    operator = await startTestOperator(env);
    const sts = await eventually('ingest StatefulSet of the pre-upgrade pipeline', () =>
      getOrUndefined(env.client, childPath('apps/v1', 'StatefulSet', 'before-ingest')),
    );
    const pipeline = await env.client.request<Pipeline>({
      method: 'GET',
      path: path('v1beta1', 'default', 'before'),
    });
    expect((sts.metadata as { ownerReferences: unknown[] }).ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: `${GROUP}/v1beta1`, kind: KIND, uid: pipeline.metadata.uid }),
    ]);
    await eventually('status of the pre-upgrade pipeline', async () => {
      const got = await env.client.request<Pipeline>({
        method: 'GET',
        path: path('v1beta1', 'default', 'before'),
      });
      return got.status?.observedGeneration === got.metadata.generation;
    });
  });
});
