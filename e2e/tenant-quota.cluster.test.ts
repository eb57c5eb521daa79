import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl } from '../testbin/harness/cluster.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import { FactSender, waitFor } from './testing/acked-facts.js';
import {
  deleteNamespaceAndWait,
  installOperator,
  podIp,
  secretValue,
  smallClusterPipeline,
  waitForPipelineAvailable,
} from './testing/cluster-gravix.js';
import { loadPod, restarts } from './testing/cluster-rollout.js';

/**
 * Issue #22 on the real single-node cluster: a GravixTenant's quota reaches a running ingest pod through the
 * operator's tenants ConfigMap (the kubelet swaps the mounted file, the worker re-reads it) and is enforced, with
 * no pod restarted.
 */
const namespace = 'gravix-tenants';
const pipeline = 'tenants';
const artifacts = repoPath('test-artifacts', 'tenant-quota');

const podFacts = (pod: string) => loadPod(namespace, pod);

const tenant = (eventsPerSecond: number) => ({
  apiVersion: 'gravix.dev/v1alpha1',
  kind: 'GravixTenant',
  // The generated ingest key belongs to the tenant `default` (cdk8s/secrets.ts).
  metadata: { name: 'default', namespace },
  spec: { pipelineRef: { name: pipeline }, quotas: { eventsPerSecond } },
});

describe('a tenant quota changed on a GravixTenant, on the single-node cluster', () => {
  let key = '';
  let address = '';

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    await installOperator('e2e');
    await kubectl(['create', 'namespace', namespace]).catch(() => undefined);
    const manifest = smallClusterPipeline({
      apiVersion: 'gravix.dev/v1beta1',
      name: pipeline,
      namespace,
      bucket: 'gravix-tenants',
      ingestReplicas: 1,
    });
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await kubectl(['apply', '-f', '-'], JSON.stringify(tenant(100_000)));
    await waitForPipelineAvailable(namespace, pipeline);
    key = await secretValue(namespace, `${pipeline}-api-keys`, 'ingest-key');
    address = `${await podIp(namespace, `${pipeline}-ingest-0`)}:8080`;
  }, 2_400_000);

  afterAll(async () => {
    const dump = await kubectl([
      '-n',
      namespace,
      'get',
      'all,configmaps,gravixtenants,events',
      '-o',
      'wide',
    ]).catch((e: Error) => e.message);
    writeFileSync(join(artifacts, 'cluster.txt'), dump);
    const logs = await kubectl([
      '-n',
      namespace,
      'logs',
      `statefulset/${pipeline}-ingest`,
      '--all-containers',
      '--tail=300',
    ]).catch((e: Error) => e.message);
    writeFileSync(join(artifacts, 'ingest.log'), logs);
    await deleteNamespaceAndWait(namespace);
  });

  it('enforces a lowered events-per-second quota in the running ingest pod, without restarting it', async () => {
    const before = await podFacts(`${pipeline}-ingest-0`);
    const sender = new FactSender('quota-checkout');
    // Under the generous quota a burst of 10 batches (250 facts) is accepted.
    let accepted = 0;
    for (let i = 0; i < 10; i++) accepted += (await sender.post(address, key, 'generous')).length;
    expect(accepted).toBe(250);

    await kubectl(['apply', '-f', '-'], JSON.stringify(tenant(5)));
    await kubectl([
      '-n',
      namespace,
      'wait',
      'gravixtenant/default',
      '--for=jsonpath={.status.observedGeneration}=2',
      '--timeout=2m',
    ]);
    // The kubelet updates the mounted file within its sync period (~1 min seen); the worker re-reads it within 5 s.
    // A tenant's bucket holds at least one full batch (GRAVIX_MAX_ITEMS_PER_BATCH, 10,000 by default) so a batch
    // is never refused forever: batches of 1,000 drain that burst in about ten posts once 5/s applies.
    const refused = await waitFor(
      'a 429 QUOTA_EXCEEDED from the running ingest pod',
      async () => {
        const res = await fetch(`http://${address}/api/v1/facts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(sender.batch('tight', 1_000)),
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.text();
        return res.status === 429 && body.includes('QUOTA_EXCEEDED') ? { res, body } : undefined;
      },
      300_000,
      1_000,
    );
    expect(refused.res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toContain('default');
    const after = await podFacts(`${pipeline}-ingest-0`);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(restarts(after)).toBe(restarts(before));
  }, 900_000);
});
