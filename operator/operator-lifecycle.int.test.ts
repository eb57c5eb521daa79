import { spawn } from 'node:child_process';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import { freePort } from '../testbin/harness/free-port.js';
import { builtCli } from '../testbin/harness/built-cli.js';
import type { RunningOperator } from './main.js';
import { startKubeTestEnv, type KubeTestEnv } from './testing/kube-test-env.js';
import {
  childPath,
  eventually,
  getOrUndefined,
  pipelinePath,
  startTestOperator,
} from './testing/operator-fixture.js';

const leaseEnv = {
  GRAVIX_OPERATOR_LEADER_ELECT: 'true',
  GRAVIX_OPERATOR_LEASE_NAMESPACE: 'default',
  // The defaults (15 s lease, 10 s renew deadline, 2 s retry): a stopping leader releases the lease, so the
  // standby takes over at its next retry; shorter deadlines make leaders step down on this loaded machine.
};

describe('gravix operator lifecycle on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const create = (name: string) =>
    env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, name) });
  const ingest = (name: string) => childPath('apps/v1', 'StatefulSet', `${name}-ingest`);
  const lease = () =>
    env.client.request<{ spec: { holderIdentity?: string } }>({
      method: 'GET',
      path: '/apis/coordination.k8s.io/v1/namespaces/default/leases/gravix-operator',
    });

  it('lets exactly one of two replicas lead, and hands over when the leader stops', async () => {
    const a: RunningOperator = await startTestOperator(env, {
      ...leaseEnv,
      GRAVIX_OPERATOR_IDENTITY: 'replica-a',
    });
    await eventually('replica-a leads', async () => a.isLeader());
    const b: RunningOperator = await startTestOperator(env, {
      ...leaseEnv,
      GRAVIX_OPERATOR_IDENTITY: 'replica-b',
    });
    try {
      await create('led');
      await eventually('children of led', () => getOrUndefined(env.client, ingest('led')), 60_000);
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
      expect(b.ready()).toBe(true);
      await a.stop();
      await eventually('replica-b leads', async () => b.isLeader(), 10_000);
      expect((await lease()).spec.holderIdentity).toBe('replica-b');
      await create('handed-over');
      await eventually(
        'children of handed-over',
        () => getOrUndefined(env.client, ingest('handed-over')),
        60_000,
      );
    } finally {
      await a.stop().catch(() => undefined);
      await b.stop();
    }
  });

  it('runs as `gravix operator`, reconciles, and exits 0 on SIGTERM after releasing its lease', async () => {
    const cli = await builtCli();
    const port = await freePort();
    const child = spawn('node', [cli, 'operator'], {
      env: {
        ...process.env,
        ...leaseEnv,
        GRAVIX_OPERATOR_IDENTITY: 'process',
        GRAVIX_OPERATOR_KUBECONFIG: env.apiserver.kubeconfigPath,
        GRAVIX_OPERATOR_HTTP_HOST: '127.0.0.1',
        GRAVIX_OPERATOR_HTTP_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await eventually(
        'readyz',
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok,
        30_000,
      );
      await create('from-process');
      await eventually(
        'children of from-process',
        () => getOrUndefined(env.client, ingest('from-process')),
        30_000,
      );
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"operator stopped"');
    expect((await lease()).spec.holderIdentity ?? '').toBe('');
  });
});
