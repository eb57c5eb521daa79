import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterScript, kubectl, run } from '../testbin/harness/cluster.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import type { S3ObjectStore } from '../workers/adapters/object-store/s3-object-store.js';
import { expectAllStored, FactSender, waitFor } from './testing/acked-facts.js';
import { podReady, rolloutProblem, workloadPods as podsOf } from './testing/cluster-rollout.js';
import {
  smallClusterPipeline,
  installOperator,
  pipelineStore,
  podIp,
  REGISTRY,
  secretValue,
  deleteNamespaceAndWait,
} from './testing/cluster-gravix.js';

/**
 * Issue #16, upgrades with real pods on the single-node cluster: a pipeline whose ingestion is still the previous
 * release's Deployment with an emptyDir write-ahead log moves to the StatefulSet without losing an acknowledged
 * fact; then a spec.version upgrade rolls every pod, nothing stays stuck, the pipeline is Available again and the
 * facts written before are still counted by the query API.
 */
const namespace = 'gravix-upgrade';
const pipeline = 'upgrade';
const bucket = 'gravix-upgrade';
const service = 'upgrade-checkout';
const artifacts = repoPath('test-artifacts', 'pipeline-upgrade');
const sender = new FactSender(service);

type Pipeline = {
  metadata: { generation: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason: string }[] };
};

const getJson = async <T>(...args: string[]) =>
  JSON.parse(await kubectl(['-n', namespace, 'get', ...args, '-o', 'json'])) as T;
const exists = (kind: string, name: string) =>
  kubectl(['-n', namespace, 'get', kind, name, '--ignore-not-found', '-o', 'name']).then(
    (o) => o.trim() !== '',
  );

const workloadPods = () => podsOf(namespace, pipeline);

async function availableNow(): Promise<boolean> {
  const p = await getJson<Pipeline>(`gravixpipeline/${pipeline}`);
  const available = p.status?.conditions?.find((c) => c.type === 'Available');
  return p.status?.observedGeneration === p.metadata.generation && available?.status === 'True';
}

/** Requests the query API counts for the test's service over the last hour. */
async function countedRequests(token: string): Promise<number> {
  const ip = (
    await kubectl([
      '-n',
      namespace,
      'get',
      'service',
      `${pipeline}-query`,
      '-o',
      'jsonpath={.spec.clusterIP}',
    ])
  ).trim();
  const to = Date.now() + 60_000;
  const res = await fetch(
    `http://${ip}:8080/api/v1/timeseries?service=${service}&from=${to - 3_600_000}&to=${to}`,
    { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) },
  );
  if (res.status !== 200) return -1;
  const body = (await res.json()) as { points: { requests: number }[] };
  return body.points.reduce((n, p) => n + p.requests, 0);
}

/**
 * Opt-in (`GRAVIX_CLUSTER_UPGRADE_TEST=1`): it passed on its first run (2026-12-02, load 30-55: 1475 s in all, of
 * which ~11 min image builds, ~6.5 min until the pipeline was Available, 58 s for the Deployment move and 379 s
 * for every pod to roll). The `spec.version` upgrade itself runs by default in e2e/cluster-e2e.cluster.test.ts on
 * the end-to-end pipeline (no second install, the images already built, under ingest load: 222 s at load 30-40);
 * what only this file proves is the previous release's ingest Deployment (emptyDir log) moving to the
 * StatefulSet, which needs a pipeline of its own. Run it before a release that changes workloads (README, "Tests").
 */
const describeUpgrade = process.env.GRAVIX_CLUSTER_UPGRADE_TEST === '1' ? describe : describe.skip;

describeUpgrade('pipeline upgrades with real pods on the single-node cluster', () => {
  let key = '';
  let queryToken = '';
  let store: S3ObjectStore;
  const acked = new Set<string>();

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await installOperator('e2e');
    await kubectl(['create', 'namespace', namespace]).catch(() => undefined);
    const manifest = smallClusterPipeline({
      apiVersion: 'gravix.dev/v1beta1',
      name: pipeline,
      namespace,
      bucket,
      ingestReplicas: 1,
    });
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitFor('the pipeline to be Available', availableNow, 900_000, 5_000);
    key = await secretValue(namespace, `${pipeline}-api-keys`, 'ingest-key');
    queryToken = await secretValue(namespace, `${pipeline}-api-keys`, 'query-token');
    store = await pipelineStore(namespace, pipeline, bucket);
  }, 2_400_000);

  afterAll(async () => {
    store?.destroy();
    const dump = await kubectl([
      '-n',
      namespace,
      'get',
      'all,pvc,jobs,events,gravixpipelines',
      '-o',
      'wide',
    ]).catch((e: Error) => e.message);
    writeFileSync(join(artifacts, 'cluster.txt'), dump);
    const logs = await kubectl(['-n', 'gravix-system', 'logs', 'deploy/gravix-operator', '--tail=500']).catch(
      (e: Error) => e.message,
    );
    writeFileSync(join(artifacts, 'operator.log'), logs);
    await deleteNamespaceAndWait(namespace);
  });

  it("replaces the previous release's ingest Deployment (emptyDir log) with the StatefulSet, losing no acknowledged fact", async () => {
    // The previous operator's ingestion, rebuilt from today's StatefulSet: same pod template, labels and owner, but
    // a Deployment whose log lives on an emptyDir. Paused, the operator leaves the swap to the test.
    await kubectl(['-n', namespace, 'annotate', `gravixpipeline/${pipeline}`, 'gravix.dev/paused=true']);
    type StatefulSet = {
      metadata: { name: string; labels: Record<string, string>; ownerReferences: unknown[] };
      spec: { selector: unknown; template: { spec: { volumes?: unknown[] } } & Record<string, unknown> };
    };
    const sts = await getJson<StatefulSet>('statefulset', `${pipeline}-ingest`);
    const { name, labels, ownerReferences } = sts.metadata;
    const template = sts.spec.template;
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels, ownerReferences },
      spec: {
        replicas: 1,
        selector: sts.spec.selector,
        template: {
          ...template,
          spec: {
            ...template.spec,
            volumes: [...(template.spec.volumes ?? []), { name: 'data', emptyDir: {} }],
          },
        },
      },
    };
    await kubectl(['-n', namespace, 'delete', 'statefulset', name, '--wait=true', '--timeout=3m']);
    await kubectl(['create', '-f', '-'], JSON.stringify(deployment));
    await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${name}`, '--timeout=5m']);
    const pods = (await workloadPods()).filter((p) => p.metadata.name.startsWith(`${name}-`) && podReady(p));
    expect(pods).toHaveLength(1);
    const address = `${await podIp(namespace, pods[0]!.metadata.name)}:8080`;
    for (let i = 0; i < 20; i += 1)
      for (const id of await sender.post(address, key, 'deployment')) acked.add(id);
    expect(acked.size).toBe(500);

    await kubectl(['-n', namespace, 'annotate', `gravixpipeline/${pipeline}`, 'gravix.dev/paused-']);
    await waitFor('the ingest StatefulSet back', () => exists('statefulset', name), 180_000);
    await kubectl(['-n', namespace, 'rollout', 'status', `statefulset/${name}`, '--timeout=5m']);
    await waitFor(
      'the old ingest Deployment pruned once the StatefulSet is ready',
      async () => !(await exists('deployment', name)),
      300_000,
    );
    // Its pod drained the emptyDir log to MinIO on SIGTERM: nothing else could have saved those facts.
    await expectAllStored(store, acked, 'Deployment replaced by the StatefulSet');
    await waitFor('Available again after the move', availableNow, 600_000, 5_000);
    await waitFor(
      `the query API counting all ${acked.size} facts`,
      async () => (await countedRequests(queryToken)) === acked.size,
      300_000,
      5_000,
    );
  }, 1_800_000);

  it('rolls every pod to a new spec.version, leaves none stuck, is Available again and still counts the earlier facts', async () => {
    // The same images under a new tag: an upgrade as the pods see it (new image reference, new version label).
    for (const image of ['gravix-workers'])
      await run('bash', [
        clusterScript,
        'tag',
        `${REGISTRY}/gravix/${image}:e2e`,
        `${REGISTRY}/gravix/${image}:e2e-next`,
      ]);
    const before = new Set((await workloadPods()).map((p) => p.metadata.uid));
    expect(before.size).toBeGreaterThanOrEqual(5);
    await kubectl([
      '-n',
      namespace,
      'patch',
      `gravixpipeline/${pipeline}`,
      '--type=merge',
      '-p',
      '{"spec":{"version":"e2e-next"}}',
    ]);
    const rolled = await waitFor(
      'every workload pod replaced, Ready, the workers on e2e-next',
      async () => {
        const pods = await workloadPods();
        return rolloutProblem(pods, before, 'e2e-next') === undefined ? pods : undefined;
      },
      900_000,
      5_000,
    );
    expect(rolled.length).toBe(before.size);
    await waitFor('Available for the new generation', availableNow, 600_000, 5_000);
    expect(await countedRequests(queryToken)).toBe(acked.size);
  }, 1_800_000);
});
