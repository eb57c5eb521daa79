import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import { freePort } from '../testbin/harness/free-port.js';
import { builtCli } from '../testbin/harness/built-cli.js';
import { repoPath } from '../testbin/harness/testbin-paths.js';
import { LeaderElector, microTime } from './adapters/leader-election.js';
import { startKubeTestEnv, type KubeTestEnv } from './testing/kube-test-env.js';
import { childPath, eventually, getOrUndefined, pipelinePath } from './testing/operator-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leasePath = (name: string) => `/apis/coordination.k8s.io/v1/namespaces/default/leases/${name}`;

describe('leader election on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  const holder = async (name: string) =>
    (await getOrUndefined(env.client, leasePath(name)))?.spec as { holderIdentity?: string } | undefined;

  it('never takes a lease its holder keeps renewing, even when the holder’s clock makes renewTime look expired', async () => {
    // The holder's clock is an hour behind: every renewal writes a renewTime an hour in the past.
    const lease = 'skewed';
    const renewAsSkewedHolder = async () => {
      const current = await getOrUndefined(env.client, leasePath(lease));
      const spec = {
        holderIdentity: 'skewed-holder',
        leaseDurationSeconds: 4,
        renewTime: microTime(new Date(Date.now() - 3_600_000)),
      };
      const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: lease }, spec };
      if (!current)
        await env.client.request({ method: 'POST', path: leasePath(lease).replace(/\/skewed$/, ''), body });
      else
        await env.client.request({
          method: 'PUT',
          path: leasePath(lease),
          body: { ...body, metadata: current.metadata },
        });
    };
    await renewAsSkewedHolder();
    let led = false;
    const elector = new LeaderElector({
      client: env.client,
      namespace: 'default',
      name: lease,
      identity: 'candidate',
      leaseDurationSeconds: 4,
      renewDeadlineMs: 3_000,
      retryPeriodMs: 300,
      logger: pino({ level: 'silent' }),
      onStartedLeading: () => (led = true),
      onStoppedLeading: () => undefined,
    });
    elector.start();
    try {
      // 8 s = 2 lease durations of a live holder, renewing every 0.5 s.
      for (let i = 0; i < 16; i++) {
        await renewAsSkewedHolder();
        await sleep(500);
      }
      expect(led).toBe(false);
      expect((await holder(lease))?.holderIdentity).toBe('skewed-holder');
      // The holder stops renewing: the candidate takes over one lease duration after it last saw a change.
      const stoppedAt = Date.now();
      await eventually('candidate leads', async () => elector.isLeader, 10_000);
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(4_000 - 500);
      expect((await holder(lease))?.holderIdentity).toBe('candidate');
    } finally {
      await elector.stop();
    }
  });

  describe('two `gravix operator` processes', () => {
    const processes: ChildProcess[] = [];
    const leaseEnv = {
      GRAVIX_OPERATOR_LEADER_ELECT: 'true',
      GRAVIX_OPERATOR_LEASE_NAMESPACE: 'default',
      GRAVIX_OPERATOR_LEASE_NAME: 'two-processes',
      GRAVIX_OPERATOR_LEASE_SECONDS: '12',
      GRAVIX_OPERATOR_LEASE_RENEW_DEADLINE_SECONDS: '8',
      GRAVIX_OPERATOR_LEASE_RETRY_SECONDS: '2',
      GRAVIX_OPERATOR_RESYNC_SECONDS: '600',
    };

    beforeAll(async () => {
      await builtCli();
    }, 300_000);

    afterAll(async () => {
      for (const child of processes) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    });

    async function startProcess(identity: string): Promise<{ child: ChildProcess; port: number }> {
      const port = await freePort();
      const child = spawn('node', [repoPath('dist', 'cli', 'gravix.js'), 'operator'], {
        env: {
          ...process.env,
          ...leaseEnv,
          GRAVIX_OPERATOR_IDENTITY: identity,
          GRAVIX_OPERATOR_KUBECONFIG: env.apiserver.kubeconfigPath,
          GRAVIX_OPERATOR_HTTP_HOST: '127.0.0.1',
          GRAVIX_OPERATOR_HTTP_PORT: String(port),
          GRAVIX_OPERATOR_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      processes.push(child);
      await eventually(
        `${identity} ready`,
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok,
        30_000,
      );
      return { child, port };
    }

    /** The process's own counters: leader gauge, requests by verb, writes it refused to send. */
    async function scrape(port: number) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const value = (pattern: RegExp) =>
        text
          .split('\n')
          .filter((l) => pattern.test(l))
          .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
      return {
        leader: value(/^gravix_operator_leader /),
        writes: value(/^gravix_operator_api_requests_total\{verb="(POST|PUT|PATCH|DELETE)"/),
        refused: value(/^gravix_operator_writes_refused_total /),
      };
    }

    const ingest = (name: string) => childPath('apps/v1', 'StatefulSet', `${name}-ingest`);
    const create = (name: string) =>
      env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, name) });

    it('hands over only after the paused leader’s lease expired, and the leader stops writing once resumed', async () => {
      const a = await startProcess('replica-a');
      await eventually(
        'replica-a leads',
        async () => (await holder('two-processes'))?.holderIdentity === 'replica-a',
      );
      const b = await startProcess('replica-b');
      await create('before-pause');
      await eventually(
        'children of before-pause',
        () => getOrUndefined(env.client, ingest('before-pause')),
        30_000,
      );
      await eventually('replica-a idle', async () => {
        const first = await scrape(a.port);
        await sleep(1_500);
        return (await scrape(a.port)).writes === first.writes;
      });
      const before = await scrape(a.port);
      expect(before.leader).toBe(1);
      expect((await scrape(b.port)).leader).toBe(0);

      const pausedAt = Date.now();
      a.child.kill('SIGSTOP');
      await eventually(
        'replica-b takes the lease',
        async () => (await holder('two-processes'))?.holderIdentity === 'replica-b',
        30_000,
      );
      // replica-b waits a whole lease duration (12 s) from its last sight of a renewal (at most one retry, 2 s, old).
      expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(10_000);
      // Work for the paused leader's watches while it sleeps: a new pipeline and a deleted child.
      await create('during-pause');
      await env.client.request({ method: 'DELETE', path: ingest('before-pause') });
      await eventually(
        'replica-b reconciles during-pause',
        () => getOrUndefined(env.client, ingest('during-pause')),
        30_000,
      );
      await eventually(
        'replica-b restores before-pause',
        () => getOrUndefined(env.client, ingest('before-pause')),
        30_000,
      );

      a.child.kill('SIGCONT');
      await eventually('replica-a steps down', async () => (await scrape(a.port)).leader === 0, 20_000);
      await sleep(3_000);
      const after = await scrape(a.port);
      // Past its renew deadline the resumed replica sent no write at all; whatever it tried was refused locally.
      expect(after.writes).toBe(before.writes);
      expect((await scrape(b.port)).leader).toBe(1);
      expect((await holder('two-processes'))?.holderIdentity).toBe('replica-b');
      process.stdout.write(`resumed leader refused ${after.refused - before.refused} writes\n`);
    });
  });
});
