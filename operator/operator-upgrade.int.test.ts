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

  it('applies every child when spec.version and storage.minio.size change, refusing nothing', async () => {
    await env.client.request({
      method: 'POST',
      path: '/apis/storage.k8s.io/v1/storageclasses',
      body: {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'expandable' },
        provisioner: 'example.com/disk',
        allowVolumeExpansion: true,
      },
    });
    const storage = { minio: { size: '20Gi', storageClassName: 'expandable' } };
    await env.client.request({
      method: 'POST',
      path: pipelinePath(),
      body: pipelineObject({ version: '0.1.0', storage }, 'up'),
    });
    expect(degraded(await settled('up', 1))).toMatchObject({ status: 'False' });
    // No StatefulSet controller runs here, so stand in for it: MinIO's claim as it would create it, bound.
    await env.client.request({
      method: 'POST',
      path: childPath('v1', 'PersistentVolumeClaim', ''),
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        // The claim template's labels (stableLabels): the operator watches claims by its managed-by label.
        metadata: {
          name: 'data-up-minio-0',
          labels: { 'gravix.dev/pipeline': 'up', 'app.kubernetes.io/managed-by': 'gravix-operator' },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'expandable',
          resources: { requests: { storage: '20Gi' } },
        },
      },
    });
    await mergePatch(env.client, `${claim('data-up-minio-0')}/status`, { status: { phase: 'Bound' } });

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
    const minio = (await get(statefulSet('up-minio'))) as Workload;
    expect((minio.metadata?.labels as Record<string, string>)['app.kubernetes.io/version']).toBe('0.2.0');
    // The claim template cannot change; the claim itself grows.
    expect(minio.spec.volumeClaimTemplates![0]!.spec.resources.requests.storage).toBe('20Gi');
    await eventually('MinIO claim grown to 30Gi', async () => {
      const c = (await get(claim('data-up-minio-0'))) as Claim;
      return c.spec.resources.requests.storage === '30Gi';
    });
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
