import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl } from '../testbin/harness/cluster.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import { waitUntil } from '../testbin/harness/wait-until.js';
import type { S3ObjectStore } from '../workers/adapters/object-store/s3-object-store.js';
import { expectAllStored, FactSender } from './testing/acked-facts.js';
import {
  smallClusterPipeline,
  installOperator,
  minioOutage,
  pipelineStore,
  podIp,
  secretValue,
  deleteNamespaceAndWait,
  waitForPipelineAvailable,
} from './testing/cluster-gravix.js';

/**
 * Issue #16 on the real single-node cluster: no acknowledged fact is lost when an ingest pod goes (deleted under
 * load; scaled away during a MinIO outage, its claim rescued by the operator's Job), and Available says when the
 * pipeline does not work end to end (rollup passes failing during the outage) and recovers.
 */
const namespace = 'gravix-durable';
const pipeline = 'durable';
const bucket = 'gravix-durable';
const artifacts = repoPath('test-artifacts', 'ingest-durability');

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

async function available(): Promise<Condition | undefined> {
  const out = await kubectl(['-n', namespace, 'get', `gravixpipeline/${pipeline}`, '-o', 'json']);
  const p = JSON.parse(out) as { status?: { conditions?: Condition[] } };
  return p.status?.conditions?.find((c) => c.type === 'Available');
}

const exists = (kind: string, name: string) =>
  kubectl(['-n', namespace, 'get', kind, name, '--ignore-not-found', '-o', 'name']).then(
    (o) => o.trim() !== '',
  );

const sender = new FactSender('durable-checkout');
const post = (address: string, key: string, prefix: string) => sender.post(address, key, prefix);
const load = (address: string, key: string, prefix: string, until: Promise<unknown>, acked: Set<string>) =>
  sender.load(address, key, prefix, until, acked);

describe('no acknowledged fact lost when an ingest pod goes, on the single-node cluster', () => {
  let key = '';
  let store: S3ObjectStore;
  const outage = { end: async () => undefined as unknown };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await installOperator('e2e');
    await kubectl(['create', 'namespace', namespace]).catch(() => undefined);
    const manifest = smallClusterPipeline({
      apiVersion: 'gravix.dev/v1alpha1',
      name: pipeline,
      namespace,
      bucket,
      ingestReplicas: 2,
    });
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitForPipelineAvailable(namespace, pipeline);
    key = await secretValue(namespace, `${pipeline}-api-keys`, 'ingest-key');
    store = await pipelineStore(namespace, pipeline, bucket);
  }, 2_400_000);

  afterAll(async () => {
    await outage.end();
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
    for (const [ns, what] of [
      ['gravix-system', 'deploy/gravix-operator'],
      [namespace, `statefulset/${pipeline}-ingest`],
      [namespace, `deploy/${pipeline}-rollup`],
      [namespace, `job/${pipeline}-ingest-rescue-1`],
    ] as const) {
      const logs = await kubectl(['-n', ns, 'logs', what, '--all-containers', '--tail=300']).catch(
        (e: Error) => e.message,
      );
      writeFileSync(join(artifacts, `${what.replace('/', '-')}.log`), logs);
    }
    await deleteNamespaceAndWait(namespace);
  });

  it('keeps every acknowledged fact when an ingest pod is deleted under load (it drains; its replica returns)', async () => {
    const acked = new Set<string>();
    const service = (
      await kubectl([
        '-n',
        namespace,
        'get',
        'service',
        `${pipeline}-ingest`,
        '-o',
        'jsonpath={.spec.clusterIP}',
      ])
    ).trim();
    const deleted = new Promise((r) => setTimeout(r, 3_000)).then(() =>
      kubectl(['-n', namespace, 'delete', 'pod', `${pipeline}-ingest-0`, '--wait=false']),
    );
    await load(
      `${service}:8080`,
      key,
      'deleted',
      deleted.then(() => new Promise((r) => setTimeout(r, 15_000))),
      acked,
    );
    expect(acked.size).toBeGreaterThan(500);
    await expectAllStored(store, acked, 'pod deleted under load');
    await kubectl(['-n', namespace, 'rollout', 'status', `statefulset/${pipeline}-ingest`, '--timeout=5m']);
  }, 900_000);

  it('keeps every fact acknowledged before a scale-down during a MinIO outage: the operator rescues the claim once MinIO is back, and Available says the rollup fails meanwhile', async () => {
    const minio = minioOutage(await podIp(namespace, `${pipeline}-minio-0`));
    outage.end = minio.end;
    await minio.start();
    const acked = new Set<string>();
    for (const ordinal of [0, 1]) {
      const address = `${await podIp(namespace, `${pipeline}-ingest-${ordinal}`)}:8080`;
      for (let i = 0; i < 20; i += 1)
        for (const id of await post(address, key, `outage-${ordinal}`)) acked.add(id);
    }
    expect(acked.size).toBe(2 * 20 * 25);

    const down = await waitUntil(
      async () => {
        const c = await available();
        return c?.status === 'False' ? c : undefined;
      },
      { what: 'Available False during the outage', timeoutMs: 300_000, intervalMs: 2_000 },
    );
    expect(down.reason).toBe('RollupFailing');
    expect(down.message).toContain(`${pipeline}-rollup (no rollup pass has succeeded since the last failure`);

    await kubectl([
      '-n',
      namespace,
      'patch',
      `gravixpipeline/${pipeline}`,
      '--type=merge',
      '-p',
      '{"spec":{"ingestion":{"replicas":1}}}',
    ]);
    await waitUntil(async () => !(await exists('pod', `${pipeline}-ingest-1`)), {
      what: 'replica 1 gone (it tried to drain for 20 s)',
      timeoutMs: 180_000,
      intervalMs: 2_000,
    });
    const rescue = `${pipeline}-ingest-rescue-1`;
    await waitUntil(() => exists('job', rescue), {
      what: 'rescue Job started',
      timeoutMs: 180_000,
      intervalMs: 2_000,
    });
    // While MinIO is unreachable the rescue cannot finish, and the claim, holding the facts, stays.
    await new Promise((r) => setTimeout(r, 20_000));
    expect(await exists('pvc', `data-${pipeline}-ingest-1`)).toBe(true);
    const succeeded = await kubectl([
      '-n',
      namespace,
      'get',
      'job',
      rescue,
      '-o',
      'jsonpath={.status.succeeded}',
    ]);
    expect(succeeded.trim()).not.toBe('1');

    await minio.end();
    await waitUntil(async () => !(await exists('pvc', `data-${pipeline}-ingest-1`)), {
      what: 'rescued claim deleted by the operator',
      timeoutMs: 600_000,
      intervalMs: 3_000,
    });
    await expectAllStored(store, acked, 'scale-down during the outage');
    const up = await waitUntil(
      async () => {
        const c = await available();
        return c?.status === 'True' ? c : undefined;
      },
      { what: 'Available True again', timeoutMs: 300_000, intervalMs: 2_000 },
    );
    expect(up.reason).toBe('WorkloadsReady');
    await waitUntil(async () => !(await exists('job', rescue)), {
      what: 'rescue Job pruned',
      timeoutMs: 120_000,
    });
  }, 1_800_000);
});
