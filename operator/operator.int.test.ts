import { API_VERSION, KIND } from '../crds/gravix-pipeline-crd.js';
import { makePipeline, pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineSpecInput, PipelineStatus } from '../crds/gravix-pipeline-spec.js';
import { synthPipeline } from '../cdk8s/pipeline-chart.js';
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

type Pipeline = KubeObject & { metadata: { uid: string; generation: number }; status?: PipelineStatus };
type Dep = KubeObject & { spec: { replicas?: number } };

describe('gravix operator on a real kube-apiserver', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;

  beforeAll(async () => {
    env = await startKubeTestEnv({ prometheusOperator: true });
    operator = await startTestOperator(env);
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  const get = (path: string) => getOrUndefined(env.client, path);
  const create = (name: string, spec: PipelineSpecInput) =>
    env.client.request<Pipeline>({ method: 'POST', path: pipelinePath(), body: pipelineObject(spec, name) });
  const readPipeline = async (name: string) => (await get(pipelinePath(name))) as Pipeline;
  const deployment = (name: string) => childPath('apps/v1', 'Deployment', name);
  const waitGeneration = (name: string, generation: number) =>
    eventually(`${name} observedGeneration ${generation}`, async () => {
      const p = await readPipeline(name);
      return p.status?.observedGeneration === generation ? p : undefined;
    });
  const events = async (name: string) => {
    const list = await env.client.request<{ items: { reason: string; type: string; message: string }[] }>({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
      query: { fieldSelector: `involvedObject.name=${name}` },
    });
    return list.items;
  };

  /** A real admission policy (CEL, in the apiserver) that refuses one pipeline's Deployments. */
  const denyDeploymentsOf = async (pipeline: string) => {
    const admission = '/apis/admissionregistration.k8s.io/v1';
    await env.client.apply(
      `${admission}/validatingadmissionpolicies/deny-${pipeline}`,
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: `deny-${pipeline}` },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['deployments'],
              },
            ],
          },
          validations: [
            {
              expression: `object.metadata.?labels[?'gravix.dev/pipeline'].orValue('') != '${pipeline}'`,
              message: `deployments of pipeline ${pipeline} are denied here`,
            },
          ],
        },
      },
      'gravix-tests',
    );
    await env.client.apply(
      `${admission}/validatingadmissionpolicybindings/deny-${pipeline}`,
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: `deny-${pipeline}` },
        spec: { policyName: `deny-${pipeline}`, validationActions: ['Deny'] },
      },
      'gravix-tests',
    );
    const probe = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'probe', labels: { 'gravix.dev/pipeline': pipeline } },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
      },
    };
    await eventually('admission policy active', () =>
      env.client.apply(deployment('probe'), probe, 'gravix-tests', true).then(
        () => false,
        () => true,
      ),
    );
  };

  const fullSpec: PipelineSpecInput = {
    ingress: { enabled: true, host: 'gravix.example.com' },
    monitoring: { enabled: true },
  };

  /** A pipeline of this test's own, created and reconciled once (each test stands alone: jest -t runs any one). */
  const createReconciled = async (name: string, spec: PipelineSpecInput = {}) => {
    const created = await create(name, spec);
    await waitGeneration(name, 1);
    return created;
  };

  it('creates every child with a controller ownerReference when a pipeline is created', async () => {
    const created = await create('owned', fullSpec);
    // The storage Job's name ends in a hash covering the generated Secrets' live values: take the live one.
    const jobs = await eventually('storage Job', async () => {
      const list = await env.client.request<{ items: KubeObject[] }>({
        method: 'GET',
        path: childPath('batch/v1', 'Job', ''),
        query: { labelSelector: 'app.kubernetes.io/component=storage-setup,gravix.dev/pipeline=owned' },
      });
      return list.items.length > 0 ? list.items : undefined;
    });
    const expected = synthPipeline(makePipeline(fullSpec, 'owned')).map((m) =>
      m.kind === 'Job' ? { ...m, metadata: { ...m.metadata, name: jobs[0]!.metadata!.name! } } : m,
    );
    for (const m of expected) {
      const path = childPath(m.apiVersion, m.kind, m.metadata.name);
      const child = await eventually(`${m.kind}/${m.metadata.name}`, () => get(path));
      expect(child.metadata?.ownerReferences).toEqual([
        {
          apiVersion: API_VERSION,
          kind: KIND,
          name: 'owned',
          uid: created.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const status = (await waitGeneration('owned', 1)).status!;
    expect(status.conditions!.map((c) => [c.type, c.observedGeneration])).toEqual([
      ['Available', 1],
      ['Progressing', 1],
      ['Degraded', 1],
    ]);
    // No kubelet runs here, so workloads never become ready: the pipeline stays Progressing.
    expect(status.phase).toBe('Progressing');
    expect((await events('owned')).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['SecretGenerated', 'Reconciled']),
    );
  });

  it('shows Ready, Phase, Ingest and Age as printer columns, as kubectl get does', async () => {
    await createReconciled('columns');
    const table = await env.client.request<{
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    }>({
      method: 'GET',
      path: pipelinePath('columns'),
      accept: 'application/json;as=Table;g=meta.k8s.io;v=v1',
    });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Phase', 'Ingest', 'Age']);
    expect(table.rows[0]!.cells.slice(0, 4)).toEqual(['columns', 'False', 'Progressing', 0]);
  });

  it('updates children when the spec changes', async () => {
    await createReconciled('update');
    await mergePatch(env.client, pipelinePath('update'), { spec: { query: { replicas: 3 } } });
    await eventually(
      'query replicas 3',
      async () => ((await get(deployment('update-query'))) as Dep).spec.replicas === 3,
    );
    await waitGeneration('update', 2);
  });

  it('restores a child field that someone else edited', async () => {
    await createReconciled('drift', { query: { replicas: 3 } });
    await mergePatch(env.client, deployment('drift-query'), { spec: { replicas: 7 } });
    await mergePatch(env.client, childPath('v1', 'ConfigMap', 'drift-config'), {
      data: { GRAVIX_S3_BUCKET: 'elsewhere' },
    });
    await eventually(
      'query replicas restored',
      async () => ((await get(deployment('drift-query'))) as Dep).spec.replicas === 3,
    );
    await eventually('config restored', async () => {
      const cm = (await get(childPath('v1', 'ConfigMap', 'drift-config'))) as {
        data: Record<string, string>;
      };
      return cm.data['GRAVIX_S3_BUCKET'] === 'gravix';
    });
  });

  it('recreates a child that was deleted', async () => {
    await createReconciled('recreate');
    const path = childPath('v1', 'Service', 'recreate-ingest');
    const before = await eventually('service', () => get(path));
    await env.client.request({ method: 'DELETE', path });
    const after = await eventually('service recreated', async () => {
      const s = await get(path);
      return s && s.metadata?.uid !== before.metadata?.uid ? s : undefined;
    });
    expect(after.metadata?.labels).toMatchObject({ 'gravix.dev/pipeline': 'recreate' });
  });

  it('prunes the children of a component that was disabled', async () => {
    await createReconciled('prune', fullSpec);
    await eventually('ServiceMonitor applied', () =>
      get(childPath('monitoring.coreos.com/v1', 'ServiceMonitor', 'prune-monitoring')),
    );
    await mergePatch(env.client, pipelinePath('prune'), { spec: { monitoring: { enabled: false } } });
    const monitor = childPath('monitoring.coreos.com/v1', 'ServiceMonitor', 'prune-monitoring');
    await eventually('ServiceMonitor pruned', async () => (await get(monitor)) === undefined);
    expect(await get(childPath('apps/v1', 'StatefulSet', 'prune-ingest'))).toBeDefined();
    await eventually('Pruned event', async () => (await events('prune')).some((e) => e.reason === 'Pruned'));
  });

  it('keeps generated Secrets unchanged across reconciles and spec changes', async () => {
    await createReconciled('keep');
    const path = childPath('v1', 'Secret', 'keep-minio-credentials');
    const before = (await eventually('secret', () => get(path))) as KubeObject & {
      data: Record<string, string>;
    };
    await mergePatch(env.client, pipelinePath('keep'), { spec: { retentionDays: 14 } });
    await waitGeneration('keep', 2);
    const after = (await get(path)) as KubeObject & { data: Record<string, string> };
    expect(after.data).toEqual(before.data);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('creates a generated Secret again when it was deleted, without touching the others', async () => {
    await createReconciled('regen');
    const tokenPath = childPath('v1', 'Secret', 'regen-api-keys');
    const keysPath = childPath('v1', 'Secret', 'regen-minio-credentials');
    const tokenBefore = await eventually('API keys', () => get(tokenPath));
    const keysBefore = await eventually('MinIO credentials', () => get(keysPath));
    await env.client.request({ method: 'DELETE', path: tokenPath });
    const recreated = (await eventually('API keys recreated', async () => {
      const s = await get(tokenPath);
      return s && s.metadata?.uid !== tokenBefore.metadata?.uid ? s : undefined;
    })) as KubeObject & { data: Record<string, string> };
    expect(Buffer.from(recreated.data['query-token']!, 'base64').length).toBeGreaterThan(20);
    expect((await get(keysPath))?.metadata?.resourceVersion).toBe(keysBefore.metadata?.resourceVersion);
  });

  it('rolls pods via the config hash only when the configuration changed', async () => {
    await createReconciled('hash');
    const hash = async () =>
      (
        (await get(deployment('hash-query'))) as {
          spec: { template: { metadata: { annotations: Record<string, string> } } };
        }
      ).spec.template.metadata.annotations['gravix.dev/config-hash'];
    const before = await hash();
    await mergePatch(env.client, pipelinePath('hash'), { spec: { query: { replicas: 2 } } });
    await waitGeneration('hash', 2);
    expect(await hash()).toBe(before);
    await mergePatch(env.client, pipelinePath('hash'), { spec: { retentionDays: 60 } });
    await eventually('config hash changed', async () => (await hash()) !== before);
  });

  it('reports a child the apiserver rejects in the Degraded condition and a Warning event', async () => {
    await denyDeploymentsOf('broken');
    await create('broken', {});
    const pipeline = await eventually('Degraded', async () => {
      const p = await readPipeline('broken');
      return p.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True') ? p : undefined;
    });
    const degraded = pipeline.status!.conditions!.find((c) => c.type === 'Degraded')!;
    expect(degraded.reason).toBe('ApplyFailed');
    expect(degraded.message).toMatch(
      /^Deployment\/broken-(ingest|query|rollup): .*deployments of pipeline broken are denied here/,
    );
    expect(pipeline.status!.phase).toBe('Failed');
    expect((await events('broken')).some((e) => e.type === 'Warning' && e.reason === 'ApplyFailed')).toBe(
      true,
    );
  });

  it('keeps the last ingest replicas in status when a pass fails, instead of writing 0', async () => {
    await createReconciled('keeps-replicas');
    await denyDeploymentsOf('keeps-replicas');
    // As if the ingest Deployment had been seen with 3 replicas (no kubelet here to run them).
    await env.client.request({
      method: 'PATCH',
      path: `${pipelinePath('keeps-replicas')}/status`,
      body: { status: { ingestReplicas: 3 } },
      contentType: 'application/merge-patch+json',
    });
    await mergePatch(env.client, pipelinePath('keeps-replicas'), { spec: { query: { replicas: 2 } } });
    const pipeline = await eventually('Degraded ApplyFailed', async () => {
      const p = await readPipeline('keeps-replicas');
      const degraded = p.status?.conditions?.find((c) => c.type === 'Degraded');
      return degraded?.reason === 'ApplyFailed' ? p : undefined;
    });
    expect(pipeline.status!.ingestReplicas).toBe(3);
  });

  it('reports a storage Job that gave up (a missing external bucket) as Degraded with a Warning event', async () => {
    await create('nobucket', {
      storage: { mode: 'external', external: { secretRef: { name: 's3-creds' } } },
    });
    // No Job controller runs here, so the test writes the status the Job controller would after its last retry.
    const jobs = '/apis/batch/v1/namespaces/default/jobs';
    const job = await eventually('the storage Job', async () => {
      const list = await env.client.request<{ items: { metadata: { name: string } }[] }>({
        method: 'GET',
        path: jobs,
        query: { labelSelector: 'gravix.dev/pipeline=nobucket' },
      });
      return list.items[0];
    });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const failed = {
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
      lastTransitionTime: now,
      lastProbeTime: now,
    };
    await env.client.request({
      method: 'PATCH',
      path: `${jobs}/${job.metadata.name}/status`,
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          startTime: now,
          failed: 9,
          conditions: [
            { type: 'FailureTarget', ...failed },
            { type: 'Failed', ...failed },
          ],
        },
      },
    });
    const pipeline = await eventually('Degraded StorageSetupFailed', async () => {
      const p = await readPipeline('nobucket');
      const degraded = p.status?.conditions?.find((c) => c.type === 'Degraded');
      return degraded?.reason === 'StorageSetupFailed' ? p : undefined;
    });
    expect(pipeline.status!.conditions!.find((c) => c.type === 'Degraded')!.message).toBe(
      `Job ${job.metadata.name} failed (BackoffLimitExceeded: Job has reached the specified backoff limit); its log says why: kubectl -n default logs job/${job.metadata.name}`,
    );
    expect(pipeline.status!.phase).toBe('Failed');
    const warnings = (await events('nobucket')).filter(
      (e) => e.type === 'Warning' && e.reason === 'StorageSetupFailed',
    );
    expect(warnings).toHaveLength(1);
  });

  it('leaves children alone while the pause annotation is set and catches up when it is removed', async () => {
    await create('paused', {});
    await eventually('paused children', () => get(deployment('paused-query')));
    await mergePatch(env.client, pipelinePath('paused'), {
      metadata: { annotations: { 'gravix.dev/paused': 'true' } },
    });
    await eventually('phase Paused', async () => (await readPipeline('paused')).status?.phase === 'Paused');
    await env.client.request({ method: 'DELETE', path: deployment('paused-query') });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await get(deployment('paused-query'))).toBeUndefined();
    await mergePatch(env.client, pipelinePath('paused'), {
      metadata: { annotations: { 'gravix.dev/paused': null } },
    });
    await eventually('restored after unpause', () => get(deployment('paused-query')));
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    await createReconciled('metrics');
    const fetchText = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${operator.port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect(await fetchText('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await fetchText('/readyz')).status).toBe(200);
    const metrics = await fetchText('/metrics');
    expect(metrics.body).toMatch(/gravix_operator_reconcile_total\{result="success"\} \d+/);
    expect(metrics.body).toContain('gravix_operator_leader 1');
  });

  it('recovers after the apiserver restarts: watches resume and drift is repaired', async () => {
    await createReconciled('survivor');
    await env.apiserver.restart(1000);
    await create('after-restart', {});
    await eventually(
      'children after restart',
      () => get(childPath('apps/v1', 'StatefulSet', 'after-restart-ingest')),
      60_000,
    );
    await env.client.request({ method: 'DELETE', path: deployment('survivor-query') });
    await eventually(
      'survivor-query restored after restart',
      () => get(deployment('survivor-query')),
      30_000,
    );
  });
});
