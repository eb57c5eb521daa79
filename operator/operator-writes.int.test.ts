import { jest } from '@jest/globals';
import { pino } from 'pino';
import { ChildWriter } from './adapters/child-writer.js';
import { EventRecorder } from './adapters/event-recorder.js';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { PipelineStatus } from '../crds/gravix-pipeline-spec.js';
import { KubeClient, type KubeObject, type KubeRequest } from './adapters/kube-client.js';
import { loadKubeconfigFile } from './adapters/kube-connection.js';
import { Watcher } from './adapters/watcher.js';
import { PrometheusOperatorDiscovery } from './adapters/discovery.js';
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

type Pipeline = KubeObject & { status?: PipelineStatus };

describe('the operator writes status only when it changed (real kube-apiserver)', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;
  const statusWrites: string[] = [];

  beforeAll(async () => {
    env = await startKubeTestEnv();
    // Every request of every KubeClient in this process goes through request(): count the status PATCHes.
    const original = KubeClient.prototype.request;
    jest.spyOn(KubeClient.prototype, 'request').mockImplementation(function (
      this: KubeClient,
      req: KubeRequest,
    ) {
      if (req.method === 'PATCH' && req.path.endsWith('/status')) statusWrites.push(req.path);
      return original.call(this, req) as never;
    });
    operator = await startTestOperator(env);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await operator?.stop();
    await env?.stop();
  });

  it('issues no status PATCH on passes that change nothing, one when the generation moves', async () => {
    await env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, 'calm') });
    await eventually('calm reconciled', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('calm'))) as Pipeline | undefined;
      return p?.status?.observedGeneration === 1;
    });
    const service = childPath('v1', 'Service', 'calm-ingest');
    const before = statusWrites.length;
    // Each deleted child wakes a pass (owned-kind watch) that recreates it and computes the same status.
    for (let i = 0; i < 3; i++) {
      const old = (await getOrUndefined(env.client, service))!;
      await env.client.request({ method: 'DELETE', path: service });
      await eventually(`service recreated (${i})`, async () => {
        const s = await getOrUndefined(env.client, service);
        return s !== undefined && s.metadata?.uid !== old.metadata?.uid;
      });
    }
    // A spec change is the next pass for this key (one pass per key at a time): once it is observed, every
    // earlier pass has finished, and it is the only one with something to write.
    await mergePatch(env.client, pipelinePath('calm'), { spec: { query: { replicas: 2 } } });
    await eventually('calm generation 2 observed', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('calm'))) as Pipeline | undefined;
      return p?.status?.observedGeneration === 2;
    });
    expect(statusWrites.length - before).toBe(1);
  });
});

describe('the operator is not woken by its own status writes (real kube-apiserver)', () => {
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

  const passes = async () =>
    (await operator.metrics.reconciles.get()).values.reduce((sum, v) => sum + v.value, 0);
  const settled = () =>
    eventually('no pass for 2 s', async () => {
      const first = await passes();
      await new Promise((r) => setTimeout(r, 2_000));
      return (await passes()) === first;
    });

  it('runs one pass for a change that writes status, not a second one for the status write', async () => {
    await env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject({}, 'quiet') });
    await eventually('quiet reconciled', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('quiet'))) as Pipeline | undefined;
      return p?.status?.observedGeneration === 1;
    });
    await settled();
    const before = await passes();
    // Pausing touches no child (no child watch event): the pass's only write is the status (phase Paused).
    await mergePatch(env.client, pipelinePath('quiet'), {
      metadata: { annotations: { 'gravix.dev/paused': 'true' } },
    });
    await eventually('phase Paused', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('quiet'))) as Pipeline | undefined;
      return p?.status?.phase === 'Paused';
    });
    await settled();
    expect((await passes()) - before).toBe(1);
  });
});

describe('a resync of a steady pipeline writes nothing (real kube-apiserver)', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;

  beforeAll(async () => {
    env = await startKubeTestEnv({ prometheusOperator: true });
    operator = await startTestOperator(env, { GRAVIX_OPERATOR_RESYNC_SECONDS: '5' });
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  const counters = async () => {
    const sum = async (metric: {
      get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }>;
    }) => (await metric.get()).values;
    const requests = await sum(operator.metrics.apiRequests);
    const passes = await sum(operator.metrics.reconciles);
    const syntheses = await sum(operator.metrics.syntheses);
    const outcome = (o: string) => syntheses.find((v) => v.labels['outcome'] === o)?.value ?? 0;
    return {
      synthesized: outcome('synthesized'),
      skipped: outcome('skipped'),
      writes: requests
        .filter((v) => v.labels['verb'] !== 'GET' && v.labels['verb'] !== 'WATCH')
        .reduce((n, v) => n + v.value, 0),
      reads: requests.filter((v) => v.labels['verb'] === 'GET').reduce((n, v) => n + v.value, 0),
      passes: passes.reduce((n, v) => n + v.value, 0),
    };
  };

  it('sends no write and no read in passes that find nothing to change, and repairs drift in the next one', async () => {
    const spec = { cube: { enabled: true }, monitoring: { enabled: true } };
    await env.client.request({ method: 'POST', path: pipelinePath(), body: pipelineObject(spec, 'steady') });
    await eventually('steady reconciled', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('steady'))) as Pipeline | undefined;
      return p?.status?.observedGeneration === 1;
    });
    // The first resync may still apply what the watch cache had not seen yet; from then on nothing changes.
    await new Promise((r) => setTimeout(r, 6_000));
    const before = await counters();
    await new Promise((r) => setTimeout(r, 11_000));
    const after = await counters();
    expect(after.passes - before.passes).toBeGreaterThanOrEqual(2);
    expect(after.writes - before.writes).toBe(0);
    // Nor a read: the pipeline, its claims and pods come from the watch cache. The one GET allowed is the
    // Prometheus operator discovery, asked at most once a minute (the window may cross its expiry).
    expect(after.reads - before.reads).toBeLessThanOrEqual(1);
    // Nor a synthesis: inputs and children are unchanged since the last complete pass (docs/adr/0114).
    expect(after.synthesized - before.synthesized).toBe(0);
    expect(after.skipped - before.skipped).toBeGreaterThanOrEqual(2);
    // Drift is still repaired: an edited child is applied again, ...
    await mergePatch(env.client, childPath('apps/v1', 'Deployment', 'steady-query'), {
      spec: { replicas: 7 },
    });
    await eventually('query replicas restored', async () => {
      const d = (await getOrUndefined(env.client, childPath('apps/v1', 'Deployment', 'steady-query'))) as
        (KubeObject & { spec: { replicas: number } }) | undefined;
      return d?.spec.replicas === 1;
    });
    // ... a child whose metadata alone was edited (no generation bump: only its resourceVersion moved), ...
    const service = childPath('v1', 'Service', 'steady-query');
    await mergePatch(env.client, service, {
      metadata: { labels: { 'app.kubernetes.io/component': 'edited' } },
    });
    await eventually('service label restored', async () => {
      const s = await getOrUndefined(env.client, service);
      const labels = s?.metadata?.['labels'] as Record<string, string> | undefined;
      return labels?.['app.kubernetes.io/component'] === 'query';
    });
    // ... and a deleted one is created again, each by a pass that synthesized.
    const config = childPath('v1', 'ConfigMap', 'steady-tenants');
    const old = (await getOrUndefined(env.client, config))!;
    await env.client.request({ method: 'DELETE', path: config });
    await eventually('tenants ConfigMap recreated', async () => {
      const c = await getOrUndefined(env.client, config);
      return c !== undefined && c.metadata?.uid !== old.metadata?.uid;
    });
    const repaired = await counters();
    expect(repaired.synthesized - after.synthesized).toBeGreaterThanOrEqual(3);
    // A new generation synthesizes too, and the next resync finds it unchanged again.
    await mergePatch(env.client, pipelinePath('steady'), { spec: { query: { replicas: 2 } } });
    await eventually('query scaled to 2', async () => {
      const d = (await getOrUndefined(env.client, childPath('apps/v1', 'Deployment', 'steady-query'))) as
        (KubeObject & { spec: { replicas: number } }) | undefined;
      return d?.spec.replicas === 2;
    });
    const scaled = await counters();
    await eventually('a resync skips again', async () => (await counters()).skipped > scaled.skipped, 30_000);
  });
});

describe('the kube client on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('gives up on a request the apiserver does not finish in time, naming the request and the deadline', async () => {
    // A watch never ends by itself: the stand-in for a hung connection.
    const path = pipelinePath();
    await eventually('pipelines served', () =>
      env.client.request({ method: 'GET', path }).then(
        () => true,
        () => false,
      ),
    );
    await expect(
      env.client.request({ method: 'GET', path, query: { watch: 'true' }, timeoutMs: 300 }),
    ).rejects.toThrow(`GET ${path}: no answer within 300 ms`);
  });

  it('resumes a watch the server ended from the last resourceVersion instead of listing again', async () => {
    const verbs: string[] = [];
    const client = new KubeClient(loadKubeconfigFile(env.apiserver.kubeconfigPath), {
      onRequest: (verb) => verbs.push(verb),
    });
    const seen: string[] = [];
    const path = '/api/v1/namespaces/default/configmaps';
    const watcher = new Watcher({
      client,
      path,
      // The server ends each watch after a second: several clean ends within the test.
      timeoutSeconds: 1,
      onEvent: (type, o) => seen.push(`${type} ${o.metadata?.name}`),
      logger: pino({ level: 'silent' }),
    });
    try {
      watcher.start();
      await eventually('three watches opened', async () => verbs.filter((v) => v === 'WATCH').length >= 3);
      const body = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      await env.client.request({ method: 'POST', path, body: body('after-resume') });
      await eventually('the event after the resumes delivered', async () =>
        seen.includes('ADDED after-resume'),
      );
      await env.client.request({ method: 'DELETE', path: `${path}/after-resume` });
      await eventually('its deletion delivered', async () => seen.includes('DELETED after-resume'));
      // One LIST at start; every later stream resumed where the last one ended, and nothing was replayed.
      expect(verbs.filter((v) => v === 'GET')).toHaveLength(1);
      expect(seen.filter((e) => e === 'ADDED after-resume')).toHaveLength(1);
    } finally {
      await watcher.stop();
      client.close();
    }
  });

  it('asks discovery once for passes that find its cache expired at the same time', async () => {
    const verbs: string[] = [];
    const client = new KubeClient(loadKubeconfigFile(env.apiserver.kubeconfigPath), {
      onRequest: (verb) => verbs.push(verb),
    });
    try {
      const discovery = new PrometheusOperatorDiscovery(client, 60_000);
      // Four reconcile workers (GRAVIX_OPERATOR_CONCURRENCY) asking at once.
      const answers = await Promise.all([1, 2, 3, 4].map(() => discovery.present()));
      expect(answers).toEqual([false, false, false, false]);
      expect(verbs).toEqual(['GET']);
    } finally {
      client.close();
    }
  });

  it('answers from what the ServiceMonitor watch learned, without a request, and says when that changed', async () => {
    const verbs: string[] = [];
    const client = new KubeClient(loadKubeconfigFile(env.apiserver.kubeconfigPath), {
      onRequest: (verb) => verbs.push(verb),
    });
    try {
      // A TTL of 0: without the watch's answer every pass would ask.
      const discovery = new PrometheusOperatorDiscovery(client, 0);
      expect(await discovery.present()).toBe(false);
      expect(verbs).toEqual(['GET']);
      expect(discovery.observe(false)).toBe(false);
      expect(await discovery.present()).toBe(false);
      expect(await discovery.present()).toBe(false);
      expect(verbs).toEqual(['GET']);
      // The CRDs appeared (the watch listed them): a change, so the controller visits every pipeline.
      expect(discovery.observe(true)).toBe(true);
      expect(await discovery.present()).toBe(true);
      expect(discovery.observe(true)).toBe(false);
      expect(verbs).toEqual(['GET']);
    } finally {
      client.close();
    }
  });

  it('asks again for a kind the apiserver does not serve later and later (notServedRetryMs, doubled, capped)', async () => {
    const asked: number[] = [];
    let refusals = 0;
    const client = new KubeClient(loadKubeconfigFile(env.apiserver.kubeconfigPath), {
      onRequest: () => asked.push(Date.now()),
    });
    const watcher = new Watcher({
      client,
      path: '/apis/monitoring.coreos.com/v1/namespaces/default/servicemonitors',
      onEvent: () => undefined,
      onNotServed: () => refusals++,
      notServedRetryMs: 600,
      notServedMaxRetryMs: 1_200,
      logger: pino({ level: 'silent' }),
    });
    try {
      watcher.start();
      await eventually('the first list refused', async () => refusals >= 1);
      await new Promise((r) => setTimeout(r, 400));
      // The error backoff (250 ms first) would have asked again by now; a 404 waits its retry period.
      expect(asked).toHaveLength(1);
      await eventually('asked five times', async () => asked.length >= 5, 20_000);
      const gaps = asked.slice(1, 5).map((t, i) => t - asked[i]!);
      // 600 ms, doubled to 1.2 s, then held at the 1.2 s cap (uncapped: 2.4 s, 4.8 s). Timers fire late under
      // load, never early, so the cap is checked with room for lateness.
      expect(gaps[0]).toBeGreaterThanOrEqual(600);
      expect(gaps[1]).toBeGreaterThanOrEqual(1_200);
      expect(gaps[3]).toBeGreaterThanOrEqual(1_200);
      expect(gaps[3]).toBeLessThan(3_500);
      expect(refusals).toBeGreaterThanOrEqual(4);
    } finally {
      await watcher.stop();
      client.close();
    }
  });
});

describe('the operator writes with strict field validation (real kube-apiserver)', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('refuses a child with a field the apiserver does not know instead of dropping it', async () => {
    const children = new ChildWriter(env.client, 'gravix-operator');
    const manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'typo', namespace: 'default' },
      data: { a: 'b' },
      dataa: { c: 'd' },
    };
    await eventually('configmaps served', () =>
      env.client.request({ method: 'GET', path: childPath('v1', 'ConfigMap', 'x').replace(/\/x$/, '') }).then(
        () => true,
        () => false,
      ),
    );
    // Server-side apply of a built-in kind refuses it anyway (its typed schema); a create (generated Secrets) only
    // does so with fieldValidation=Strict, dropping the field silently otherwise.
    await expect(children.apply(manifest)).rejects.toThrow(
      /applying ConfigMap\/typo failed: .*\.dataa: field not declared in schema/,
    );
    await expect(children.createIfAbsent(manifest)).rejects.toThrow(/unknown field "dataa"/);
    expect(await getOrUndefined(env.client, childPath('v1', 'ConfigMap', 'typo'))).toBeUndefined();
  });
});

describe('Events on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('reuses one Event per object and reason, counting repeats and keeping the last message', async () => {
    const recorder = new EventRecorder(env.client, 'gravix-operator', pino({ level: 'silent' }));
    const object = {
      apiVersion: 'gravix.dev/v1alpha1',
      kind: 'GravixPipeline',
      name: 'noisy',
      namespace: 'default',
      uid: 'u-1',
    };
    await eventually('events served', () =>
      env.client.request({ method: 'GET', path: '/api/v1/namespaces/default/events' }).then(
        () => true,
        () => false,
      ),
    );
    for (let i = 1; i <= 5; i++) await recorder.record(object, 'Warning', 'ApplyFailed', `attempt ${i}`);
    await recorder.record(object, 'Normal', 'Reconciled', 'applied');
    const list = await env.client.request<{ items: { reason: string; count: number; message: string }[] }>({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
      query: { fieldSelector: 'involvedObject.name=noisy' },
    });
    const summary = list.items.map((e) => [e.reason, e.count, e.message]).sort();
    expect(summary).toEqual([
      ['ApplyFailed', 5, 'attempt 5'],
      ['Reconciled', 1, 'applied'],
    ]);
    // A second recorder (an operator restart) continues the count instead of starting a new Event.
    await new EventRecorder(env.client, 'gravix-operator', pino({ level: 'silent' })).record(
      object,
      'Warning',
      'ApplyFailed',
      'attempt 6',
    );
    const again = await env.client.request<{ items: { reason: string; count: number }[] }>({
      method: 'GET',
      path: '/api/v1/namespaces/default/events',
      query: { fieldSelector: 'involvedObject.name=noisy,reason=ApplyFailed' },
    });
    expect(again.items.map((e) => e.count)).toEqual([6]);
  });
});
