import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineStatus } from '../crds/gravix-pipeline-spec.js';
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

type Pipeline = KubeObject & { metadata: { generation: number }; status?: PipelineStatus };
type Workload = KubeObject & {
  spec: {
    replicas?: number;
    template: { spec: { containers: { image: string }[] } };
    volumeClaimTemplates?: { spec: { resources: { requests: { storage: string } } } }[];
  };
};
type Claim = KubeObject & { spec: { resources: { requests: { storage: string } } } };

describe('upgrading a pipeline on a real kube-apiserver', () => {
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
  const readPipeline = async (name: string) => (await get(pipelinePath(name))) as Pipeline;
  const statefulSet = (name: string) => childPath('apps/v1', 'StatefulSet', name);
  const deployment = (name: string) => childPath('apps/v1', 'Deployment', name);
  const claim = (name: string) => childPath('v1', 'PersistentVolumeClaim', name);
  const settled = (name: string, generation: number) =>
    eventually(
      `${name} generation ${generation} reconciled`,
      async () => {
        const p = await readPipeline(name);
        return p.status?.observedGeneration === generation ? p : undefined;
      },
      30_000,
    );
  const degraded = (p: Pipeline) => p.status?.conditions?.find((c) => c.type === 'Degraded');
  type Meta = { uid: string; deletionTimestamp?: string; finalizers?: string[] };
  const metaOf = (o: KubeObject | undefined) => o?.metadata as Meta | undefined;
  /**
   * Waits until the operator deleted the StatefulSet orphaning its pods (the apiserver's `orphan` finalizer holds
   * it), then does the garbage collector's part (no controller-manager runs here): drops the finalizer. Returns
   * the deleted object's uid.
   */
  async function orphanDeleted(path: string): Promise<string> {
    const held = await eventually(`${path} deleted with propagationPolicy Orphan`, async () => {
      const meta = metaOf(await get(path));
      return meta?.deletionTimestamp && meta.finalizers?.includes('orphan') ? meta : undefined;
    });
    await mergePatch(env.client, path, { metadata: { finalizers: null } });
    return held.uid;
  }
  /** The StatefulSet created anew after `uid` was deleted. */
  const recreated = (path: string, uid: string) =>
    eventually(`${path} created anew`, async () => {
      const o = (await get(path)) as Workload | undefined;
      return o && metaOf(o)?.uid !== uid && !metaOf(o)?.deletionTimestamp ? o : undefined;
    });
  const templateSize = (w: Workload) => w.spec.volumeClaimTemplates![0]!.spec.resources.requests.storage;

  const growthRefused = (p: Pipeline) => p.status?.conditions?.find((c) => c.type === 'StorageGrowthRefused');
  const storageClass = (name: string, allowVolumeExpansion: boolean) =>
    env.client.request({
      method: 'POST',
      path: '/apis/storage.k8s.io/v1/storageclasses',
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name },
        provisioner: 'example.com/disk',
        allowVolumeExpansion,
      },
    });
  /** A pipeline whose MinIO claim exists and is bound (no StatefulSet controller runs here: the test stands in). */
  async function pipelineWithMinioClaim(name: string, storageClassName: string): Promise<void> {
    const storage = { minio: { size: '20Gi', storageClassName } };
    await env.client.request({
      method: 'POST',
      path: pipelinePath(),
      body: pipelineObject({ version: '0.1.0', storage }, name),
    });
    expect(degraded(await settled(name, 1))).toMatchObject({ status: 'False' });
    await env.client.request({
      method: 'POST',
      path: childPath('v1', 'PersistentVolumeClaim', ''),
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        // The claim template's labels (stableLabels): the operator watches claims by its managed-by label.
        metadata: {
          name: `data-${name}-minio-0`,
          labels: { 'gravix.dev/pipeline': name, 'app.kubernetes.io/managed-by': 'gravix-operator' },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName,
          resources: { requests: { storage: '20Gi' } },
        },
      },
    });
    await mergePatch(env.client, `${claim(`data-${name}-minio-0`)}/status`, { status: { phase: 'Bound' } });
  }

  it('applies every child when spec.version and storage.minio.size change, refusing nothing', async () => {
    await storageClass('expandable', true);
    await pipelineWithMinioClaim('up', 'expandable');

    await mergePatch(env.client, pipelinePath('up'), {
      spec: { version: '0.2.0', storage: { minio: { size: '30Gi' } } },
    });
    const after = await settled('up', 2);
    expect(degraded(after)).toMatchObject({ status: 'False' });
    for (const path of [statefulSet('up-ingest'), deployment('up-rollup'), deployment('up-query')]) {
      const d = (await get(path)) as Workload;
      expect((d.metadata?.labels as Record<string, string>)['app.kubernetes.io/version']).toBe('0.2.0');
      expect(d.spec.template.spec.containers[0]!.image).toMatch(/:0\.2\.0$/);
    }
    // The claim template cannot change in place: the StatefulSet is recreated with it (docs/adr/0105) and the
    // claim itself grows.
    const minio = await recreated(statefulSet('up-minio'), await orphanDeleted(statefulSet('up-minio')));
    expect((minio.metadata?.labels as Record<string, string>)['app.kubernetes.io/version']).toBe('0.2.0');
    expect(templateSize(minio)).toBe('30Gi');
    await eventually('MinIO claim grown to 30Gi', async () => {
      const c = (await get(claim('data-up-minio-0'))) as Claim;
      return c.spec.resources.requests.storage === '30Gi';
    });
    expect(growthRefused(await readPipeline('up'))).toBeUndefined();
  });

  it('says in the status when the StorageClass does not allow growing the claim, and applies the rest', async () => {
    await storageClass('fixed-size', false);
    await pipelineWithMinioClaim('fixed', 'fixed-size');
    const patchesBefore = (await operator.metrics.apiRequests.get()).values
      .filter((v) => v.labels['verb'] === 'PATCH' && v.labels['resource'] === 'persistentvolumeclaims')
      .reduce((n, v) => n + v.value, 0);
    await mergePatch(env.client, pipelinePath('fixed'), {
      spec: { version: '0.2.0', storage: { minio: { size: '30Gi' } } },
    });
    const after = await eventually('the refused growth in the status', async () => {
      const p = await readPipeline('fixed');
      return p.status?.observedGeneration === 2 && growthRefused(p) ? p : undefined;
    });
    // Read from the StorageClass before asking (this operator may read it), naming claim, sizes and class.
    expect(growthRefused(after)).toMatchObject({
      status: 'True',
      reason: 'VolumeExpansionNotAllowed',
      message:
        'PersistentVolumeClaim data-fixed-minio-0 stays at 20Gi (the spec asks 30Gi): its StorageClass ' +
        'fixed-size does not allow volume expansion (allowVolumeExpansion is not true)',
    });
    // The claim was not even asked to grow: no PATCH reached it.
    const claimPatches = (await operator.metrics.apiRequests.get()).values.filter(
      (v) => v.labels['verb'] === 'PATCH' && v.labels['resource'] === 'persistentvolumeclaims',
    );
    expect(claimPatches.reduce((n, v) => n + v.value, 0)).toBe(patchesBefore);
    // A replica added later gets the new size all the same: the StatefulSet is recreated with the 30Gi template.
    const fixedMinio = await recreated(
      statefulSet('fixed-minio'),
      await orphanDeleted(statefulSet('fixed-minio')),
    );
    expect(templateSize(fixedMinio)).toBe('30Gi');
    // Not a failed pass: every other child is on the new version, and the claim keeps its size.
    expect(degraded(after)).toMatchObject({ status: 'False' });
    const query = (await get(deployment('fixed-query'))) as Workload;
    expect(query.spec.template.spec.containers[0]!.image).toMatch(/:0\.2\.0$/);
    const c = (await get(claim('data-fixed-minio-0'))) as Claim;
    expect(c.spec.resources.requests.storage).toBe('20Gi');
    type Event = KubeObject & { reason: string; type: string; message: string };
    const events = await eventually('the StorageGrowthRefused Event', async () => {
      const list = (await env.client.request({
        method: 'GET',
        path: '/api/v1/namespaces/default/events',
        query: { fieldSelector: 'involvedObject.name=fixed,reason=StorageGrowthRefused' },
      })) as { items: Event[] };
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Warning', message: growthRefused(after)!.message });

    // Once the class allows expansion, the next pass grows the claim and the condition goes.
    await mergePatch(env.client, '/apis/storage.k8s.io/v1/storageclasses/fixed-size', {
      allowVolumeExpansion: true,
    });
    await mergePatch(env.client, pipelinePath('fixed'), { spec: { query: { replicas: 2 } } });
    await eventually('the claim grown and the condition gone', async () => {
      const p = await readPipeline('fixed');
      const grown = ((await get(claim('data-fixed-minio-0'))) as Claim).spec.resources.requests.storage;
      return p.status?.observedGeneration === 3 && !growthRefused(p) && grown === '30Gi';
    });
  });

  it('recreates the ingest StatefulSet with a larger WAL template at the replicas its orphaned pods run, pods untouched', async () => {
    const ingestion = {
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
      wal: { size: '4Gi' },
    };
    await env.client.request({
      method: 'POST',
      path: pipelinePath(),
      body: pipelineObject({ ingestion }, 'wal'),
    });
    await settled('wal', 1);
    const before = (await get(statefulSet('wal-ingest'))) as Workload;
    expect(templateSize(before)).toBe('4Gi');
    // Three running ingest pods, as the HPA scaled them (no kubelet here: they stay Pending, which is all the
    // operator reads of them).
    const podUids: string[] = [];
    for (const ordinal of [0, 1, 2]) {
      const pod = (await env.client.request({
        method: 'POST',
        path: childPath('v1', 'Pod', ''),
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `wal-ingest-${ordinal}`,
            labels: {
              'gravix.dev/pipeline': 'wal',
              'app.kubernetes.io/managed-by': 'gravix-operator',
              'app.kubernetes.io/component': 'ingest',
            },
          },
          spec: { containers: [{ name: 'ingest', image: 'gravix-workers:0.1.0' }] },
        },
      })) as KubeObject;
      podUids.push(metaOf(pod)!.uid);
    }

    await mergePatch(env.client, pipelinePath('wal'), { spec: { ingestion: { wal: { size: '8Gi' } } } });
    const oldUid = await orphanDeleted(statefulSet('wal-ingest'));
    expect(oldUid).toBe(metaOf(before)!.uid);
    const after = await recreated(statefulSet('wal-ingest'), oldUid);
    expect(templateSize(after)).toBe('8Gi');
    // Created at the three running pods, not at 1 (which would scale two of them away before the HPA's next sync).
    expect(after.spec.replicas).toBe(3);
    for (const [ordinal, uid] of podUids.entries()) {
      const pod = await get(childPath('v1', 'Pod', `wal-ingest-${ordinal}`));
      expect(metaOf(pod)).toMatchObject({ uid });
      expect(metaOf(pod)!.deletionTimestamp).toBeUndefined();
    }
    type Event = KubeObject & { reason: string; message: string };
    const events = await eventually('the StatefulSetRecreated Event', async () => {
      const list = (await env.client.request({
        method: 'GET',
        path: '/api/v1/namespaces/default/events',
        query: { fieldSelector: 'involvedObject.name=wal,reason=StatefulSetRecreated' },
      })) as { items: Event[] };
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(events[0]!.message).toBe(
      'deleted StatefulSet/wal-ingest orphaning its pods, to create it anew with ' +
        'spec.volumeClaimTemplates data 4Gi -> 8Gi',
    );
    // The next pass hands replicas over to the HPA as on any enable of autoscaling: the value stays at 3.
    await mergePatch(env.client, pipelinePath('wal'), { spec: { query: { replicas: 2 } } });
    await settled('wal', 3);
    const handedOver = (await get(statefulSet('wal-ingest'))) as Workload;
    expect(handedOver.spec.replicas).toBe(3);
    expect(metaOf(handedOver)!.uid).toBe(metaOf(after)!.uid);
  });

  it('refuses shrinking storage.minio.size and changing its StorageClass at admission', async () => {
    await expect(
      mergePatch(env.client, pipelinePath('up'), { spec: { storage: { minio: { size: '10Gi' } } } }),
    ).rejects.toThrow('spec.storage.minio.size: Invalid value: "string": storage.minio.size cannot shrink');
    await expect(
      mergePatch(env.client, pipelinePath('up'), {
        spec: { storage: { minio: { storageClassName: 'fast' } } },
      }),
    ).rejects.toThrow(
      'spec.storage.minio: Invalid value: "object": storage.minio.storageClassName is immutable',
    );
  });

  it('keeps ingest at its replicas when autoscaling is enabled (the HPA takes over without a drop to 1)', async () => {
    const ingestion = { replicas: 3, autoscaling: { enabled: false } };
    await env.client.request({
      method: 'POST',
      path: pipelinePath(),
      body: pipelineObject({ ingestion }, 'scale'),
    });
    await settled('scale', 1);
    expect(((await get(statefulSet('scale-ingest'))) as Workload).spec.replicas).toBe(3);
    await mergePatch(env.client, pipelinePath('scale'), {
      spec: { ingestion: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 } } },
    });
    await settled('scale', 2);
    await eventually('HPA applied', () =>
      get(childPath('autoscaling/v2', 'HorizontalPodAutoscaler', 'scale-ingest')),
    );
    expect(((await get(statefulSet('scale-ingest'))) as Workload).spec.replicas).toBe(3);
    // A later pass (no hand-over due any more) leaves the value to the HPA as well.
    await mergePatch(env.client, pipelinePath('scale'), { spec: { query: { replicas: 2 } } });
    await settled('scale', 3);
    expect(((await get(statefulSet('scale-ingest'))) as Workload).spec.replicas).toBe(3);
  });
});
