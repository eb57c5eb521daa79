import { API_VERSION, KIND } from '../crds/gravix-pipeline-crd.js';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineSpecInput, PipelineStatus } from '../crds/gravix-pipeline-spec.js';
import type { KubeObject } from './adapters/kube-client.js';
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

/**
 * Issue #16 on a real kube-apiserver (no controllers run here, so the test stands in for the StatefulSet and Job
 * controllers by writing their status, and for an older operator by creating what it used to create).
 */
type Pipeline = KubeObject & { metadata: { uid: string; generation: number }; status?: PipelineStatus };
type Template = { spec: { template: { metadata: { annotations: Record<string, string> } } } };
type Owned = KubeObject & { metadata: { ownerReferences?: { uid: string; controller?: boolean }[] } };

describe('durable, upgradable children on a real kube-apiserver', () => {
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
  const post = (path: string, body: unknown) => env.client.request({ method: 'POST', path, body });
  const create = (name: string, spec: PipelineSpecInput = {}) =>
    env.client.request<Pipeline>({ method: 'POST', path: pipelinePath(), body: pipelineObject(spec, name) });
  const statefulSet = (name: string) => childPath('apps/v1', 'StatefulSet', name);
  const deployment = (name: string) => childPath('apps/v1', 'Deployment', name);
  const secret = (name: string) => childPath('v1', 'Secret', name);
  const job = (name: string) => childPath('batch/v1', 'Job', name);
  const claim = (name: string) => childPath('v1', 'PersistentVolumeClaim', name);
  const gone = (what: string, path: string) => eventually(what, async () => (await get(path)) === undefined);
  const hash = async (path: string) =>
    ((await get(path)) as unknown as Template).spec.template.metadata.annotations['gravix.dev/config-hash'];
  const ownerOf = (uid: string, name: string) => ({
    apiVersion: API_VERSION,
    kind: KIND,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  });
  const labels = (pipeline: string, component: string) => ({
    'app.kubernetes.io/name': 'gravix',
    'app.kubernetes.io/instance': pipeline,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': 'gravix-operator',
    'gravix.dev/pipeline': pipeline,
  });
  const events = async (name: string) => {
    const list = await env.client.request<{ items: { reason: string; type: string; message: string }[] }>({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
      query: { fieldSelector: `involvedObject.name=${name}` },
    });
    return list.items;
  };

  it('recreates a deleted generated Secret and rolls every pod that reads it (storage keys are read once)', async () => {
    await create('keys');
    await eventually('keys children', () => get(statefulSet('keys-ingest')));
    const before = {
      ingest: await hash(statefulSet('keys-ingest')),
      query: await hash(deployment('keys-query')),
      minio: await hash(statefulSet('keys-minio')),
    };
    const old = (await get(secret('keys-minio-credentials'))) as KubeObject & {
      data: Record<string, string>;
    };
    await env.client.request({ method: 'DELETE', path: secret('keys-minio-credentials') });
    const recreated = (await eventually('MinIO credentials recreated', async () => {
      const s = await get(secret('keys-minio-credentials'));
      return s && s.metadata?.uid !== old.metadata?.uid ? s : undefined;
    })) as KubeObject & { data: Record<string, string> };
    expect(recreated.data['secretAccessKey']).not.toBe(old.data['secretAccessKey']);
    await eventually(
      'ingest pods rolled',
      async () => (await hash(statefulSet('keys-ingest'))) !== before.ingest,
    );
    expect(await hash(deployment('keys-query'))).not.toBe(before.query);
    expect(await hash(statefulSet('keys-minio'))).not.toBe(before.minio);
    // The storage Job is named after its spec: a new one creates the MinIO users with the new keys.
  });

  it('rolls no pod when the API keys Secret is edited or recreated: ingest and query re-read its file', async () => {
    await create('reread');
    await eventually('reread children', () => get(statefulSet('reread-ingest')));
    const hashes = async () => ({
      ingest: await hash(statefulSet('reread-ingest')),
      query: await hash(deployment('reread-query')),
      minio: await hash(statefulSet('reread-minio')),
    });
    const before = await hashes();
    const path = secret('reread-api-keys');
    const keys = (await get(path)) as KubeObject & { data: Record<string, string> };
    const added = JSON.stringify({
      keys: [{ name: 'added', tenant: 'default', sha256: 'a'.repeat(64), scopes: [] }],
    });
    await mergePatch(env.client, path, { data: { 'keys.json': Buffer.from(added).toString('base64') } });
    // A spec change that rolls nothing by itself: once its generation is observed, a pass has read the edit.
    const observed = (generation: number) =>
      eventually(`generation ${generation} observed`, async () => {
        const p = (await get(pipelinePath('reread'))) as Pipeline | undefined;
        return p?.status?.observedGeneration === generation;
      });
    await mergePatch(env.client, pipelinePath('reread'), { spec: { query: { replicas: 2 } } });
    await observed(2);
    expect(await hashes()).toEqual(before);
    await env.client.request({ method: 'DELETE', path });
    await eventually('API keys recreated', async () => {
      const s = await get(path);
      return s && s.metadata?.uid !== keys.metadata?.uid ? s : undefined;
    });
    await mergePatch(env.client, pipelinePath('reread'), { spec: { query: { replicas: 3 } } });
    await observed(3);
    expect(await hashes()).toEqual(before);
  });

  it('gives generated Secrets that outlived their pipeline to the pipeline recreated under that name', async () => {
    const first = await create('again');
    const path = secret('again-api-keys');
    const keys = (await eventually('Secret of the first pipeline', () => get(path))) as Owned;
    expect(keys.metadata.ownerReferences?.[0]?.uid).toBe(first.metadata.uid);
    // No garbage collector runs here: the Secret outlives the deleted pipeline, as it does until the collector
    // gets to it, or for good after `kubectl delete --cascade=orphan`.
    await env.client.request({ method: 'DELETE', path: pipelinePath('again') });
    const second = await create('again');
    const adopted = (await eventually('Secret adopted', async () => {
      const s = (await get(path)) as Owned;
      return s.metadata.ownerReferences?.[0]?.uid === second.metadata.uid ? s : undefined;
    })) as Owned & { data: Record<string, string> };
    expect(adopted.metadata.ownerReferences).toEqual([ownerOf(second.metadata.uid, 'again')]);
    // The same keys: users keep what they were given.
    expect(adopted.metadata?.uid).toBe(keys.metadata?.uid);
    await eventually('SecretAdopted event', async () =>
      (await events('again')).some((e) => e.reason === 'SecretAdopted'),
    );
  });

  it('prunes the Cube children an older operator created and warns that spec.cube is ignored', async () => {
    const p = await create('old', { cube: { enabled: true } });
    const owner = ownerOf(p.metadata.uid, 'old');
    const meta = (name: string) => ({ name, labels: labels('old', 'cube'), ownerReferences: [owner] });
    await post(childPath('v1', 'ConfigMap', ''), {
      metadata: meta('old-cube-model'),
      data: { 'model.js': '' },
    });
    await post(childPath('v1', 'Secret', ''), {
      metadata: { ...meta('old-cube-secret'), labels: labels('old', 'secrets') },
      stringData: { apiSecret: 'x' },
    });
    await post(childPath('v1', 'Service', ''), {
      metadata: meta('old-cube'),
      spec: { ports: [{ port: 4000 }] },
    });
    await post(childPath('apps/v1', 'Deployment', ''), {
      metadata: meta('old-cube'),
      spec: {
        selector: { matchLabels: { app: 'cube' } },
        template: {
          metadata: { labels: { app: 'cube' } },
          spec: { containers: [{ name: 'cube', image: 'cubejs/cube:v1.3.0' }] },
        },
      },
    });
    // Any later pass (here: a spec change) prunes them.
    await mergePatch(env.client, pipelinePath('old'), { spec: { retentionDays: 9 } });
    await gone('Cube Deployment pruned', deployment('old-cube'));
    await gone('Cube Service pruned', childPath('v1', 'Service', 'old-cube'));
    await gone('Cube model pruned', childPath('v1', 'ConfigMap', 'old-cube-model'));
    await gone('Cube Secret deleted', secret('old-cube-secret'));
    const warning = await eventually('deprecation Warning', async () =>
      (await events('old')).find((e) => e.reason === 'DeprecatedFieldIgnored'),
    );
    expect(warning).toMatchObject({
      type: 'Warning',
      message: expect.stringMatching(/^spec\.cube\.enabled ignored: Cube was removed \(docs\/adr\/0068\)/),
    });
  });

  it('marks a pipeline that sets spec.cube Deprecated with a Warning Event, and clears it when the field goes', async () => {
    type Conditions = {
      status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
    };
    const deprecated = async () =>
      ((await get(pipelinePath('legacy'))) as Conditions | undefined)?.status?.conditions?.find(
        (c) => c.type === 'Deprecated',
      );
    await create('legacy', {
      cube: { enabled: true },
      images: { cube: { repository: 'cubejs/cube', tag: 'v1.3.0' } },
    });
    const condition = await eventually('Deprecated condition', deprecated);
    expect(condition).toMatchObject({
      status: 'True',
      reason: 'DeprecatedFieldSet',
      message: expect.stringMatching(
        /^spec\.cube\.enabled, spec\.images\.cube ignored: Cube was removed \(docs\/adr\/0068\).*remove them from the spec$/,
      ),
    });
    await eventually('DeprecatedFieldIgnored Warning', async () =>
      (await events('legacy')).find((e) => e.reason === 'DeprecatedFieldIgnored' && e.type === 'Warning'),
    );
    // A JSON patch removes the fields (a merge patch of cube: null would leave the CRD's default back in place).
    await env.client.request({
      method: 'PATCH',
      path: pipelinePath('legacy'),
      contentType: 'application/json-patch+json',
      body: [
        { op: 'remove', path: '/spec/cube' },
        { op: 'remove', path: '/spec/images/cube' },
      ],
    });
    await eventually('Deprecated condition cleared', async () => {
      const got = (await get(pipelinePath('legacy'))) as Pipeline;
      return got.status?.observedGeneration === got.metadata.generation && (await deprecated()) === undefined;
    });
    await eventually('DeprecatedFieldsRemoved Event', async () =>
      (await events('legacy')).find((e) => e.reason === 'DeprecatedFieldsRemoved'),
    );
  });

  it('moves ingest from a Deployment to a StatefulSet, removing the Deployment only once the StatefulSet is ready', async () => {
    const ingestion = { replicas: 2, minAvailable: 1, autoscaling: { enabled: false } };
    const p = await create('move', { ingestion });
    // What the operator of the previous release created, before this operator's first pass reaches it.
    await post(childPath('apps/v1', 'Deployment', ''), {
      metadata: {
        name: 'move-ingest',
        labels: labels('move', 'ingest'),
        ownerReferences: [ownerOf(p.metadata.uid, 'move')],
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels('move', 'ingest') },
        template: {
          metadata: { labels: labels('move', 'ingest') },
          spec: { containers: [{ name: 'ingest', image: 'gravix/gravix-workers:0.1.0' }] },
        },
      },
    });
    const sts = (await eventually('ingest StatefulSet', () =>
      get(statefulSet('move-ingest')),
    )) as KubeObject & {
      metadata: { generation: number };
    };
    await mergePatch(env.client, pipelinePath('move'), { spec: { retentionDays: 8 } });
    await eventually('pass after the change', async () => {
      const got = (await get(pipelinePath('move'))) as Pipeline;
      return got.status?.observedGeneration === got.metadata.generation;
    });
    expect(await get(deployment('move-ingest'))).toBeDefined();
    // The StatefulSet controller's word: both replicas ready.
    await mergePatch(env.client, `${statefulSet('move-ingest')}/status`, {
      status: { observedGeneration: sts.metadata.generation + 5, replicas: 2, readyReplicas: 2 },
    });
    await mergePatch(env.client, pipelinePath('move'), { spec: { retentionDays: 9 } });
    await gone('old ingest Deployment pruned', deployment('move-ingest'));
  });

  it('rescues the claims of scaled-away ingest replicas once their pods are gone, then deletes them', async () => {
    const ingestion = { replicas: 3, minAvailable: 1, autoscaling: { enabled: false } };
    await create('scale', { ingestion });
    await eventually('ingest StatefulSet', () => get(statefulSet('scale-ingest')));
    const newClaim = (ordinal: number) =>
      post(claim(''), {
        metadata: { name: `data-scale-ingest-${ordinal}`, labels: labels('scale', 'ingest') },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '4Gi' } } },
      });
    for (const ordinal of [0, 1, 2]) await newClaim(ordinal);
    // Replica 2 is still shutting down (draining its log) when the scale-down lands.
    await post(childPath('v1', 'Pod', ''), {
      metadata: { name: 'scale-ingest-2', labels: labels('scale', 'ingest') },
      spec: { containers: [{ name: 'ingest', image: 'gravix/gravix-workers:0.1.0' }] },
    });
    await mergePatch(env.client, pipelinePath('scale'), { spec: { ingestion: { replicas: 1 } } });
    const rescue1 = (await eventually('rescue Job for replica 1', () =>
      get(job('scale-ingest-rescue-1')),
    )) as KubeObject & {
      spec: {
        template: {
          spec: {
            containers: { args: string[]; env: { name: string; value?: string }[] }[];
            volumes: unknown[];
          };
        };
      };
    };
    const container = rescue1.spec.template.spec.containers[0]!;
    expect(container.args).toEqual(['ingest', '--rescue']);
    expect(container.env).toContainEqual({ name: 'GRAVIX_INGESTER_ID', value: 'scale-ingest-1' });
    expect(rescue1.spec.template.spec.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-scale-ingest-1' },
    });
    expect(await get(job('scale-ingest-rescue-2'))).toBeUndefined();
    await env.client.request({
      method: 'DELETE',
      path: childPath('v1', 'Pod', 'scale-ingest-2'),
      query: { gracePeriodSeconds: '0' },
    });
    // Pods are not watched: the next pass (the resync, or any change) sees the pod gone.
    await mergePatch(env.client, pipelinePath('scale'), { spec: { retentionDays: 12 } });
    await eventually('rescue Job for replica 2', () => get(job('scale-ingest-rescue-2')));
    // The Job controller's word: the rescue of replica 1 succeeded.
    const now = new Date().toISOString();
    await mergePatch(env.client, `${job('scale-ingest-rescue-1')}/status`, {
      status: {
        startTime: now,
        completionTime: now,
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now },
          { type: 'Complete', status: 'True', lastTransitionTime: now },
        ],
      },
    });
    // No controller removes the claim's protection finalizer here: deleted means marked for deletion.
    await eventually('rescued claim deleted', async () => {
      const c = await get(claim('data-scale-ingest-1'));
      return (
        c === undefined || (c.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined
      );
    });
    await gone('its Job pruned', job('scale-ingest-rescue-1'));
    // The claim stays marked for deletion (its finalizer): later passes must not start a second rescue of it.
    await mergePatch(env.client, pipelinePath('scale'), { spec: { retentionDays: 13 } });
    await eventually('pass after the claim was deleted', async () => {
      const got = (await get(pipelinePath('scale'))) as Pipeline;
      return got.status?.observedGeneration === got.metadata.generation;
    });
    expect(await get(job('scale-ingest-rescue-1'))).toBeUndefined();
    expect((await get(claim('data-scale-ingest-2')))?.metadata).not.toHaveProperty('deletionTimestamp');
    expect(await get(claim('data-scale-ingest-0'))).toBeDefined();
    await eventually('rescue Events', async () => {
      const reasons = (await events('scale')).map((e) => e.reason);
      return reasons.includes('IngestRescueStarted') && reasons.includes('IngestVolumeRescued');
    });
  });
});
