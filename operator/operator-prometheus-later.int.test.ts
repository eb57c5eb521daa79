import { pino } from 'pino';
import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import { KubeClient, type KubeObject } from './adapters/kube-client.js';
import { loadKubeconfigFile } from './adapters/kube-connection.js';
import { Watcher } from './adapters/watcher.js';
import type { RunningOperator } from './main.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from './testing/kube-test-env.js';
import { monitoringCrds } from './testing/monitoring-crds.js';
import { eventually, getOrUndefined, pipelinePath, startTestOperator } from './testing/operator-fixture.js';

/**
 * A Prometheus operator installed after the Gravix operator started (issue #16, docs/adr/0105): where RBAC lets the
 * operator watch the Prometheus operator's CRDs (here: the test apiserver's admin), their appearance ends the
 * unserved kinds' backoff at once. The retry is set to 10 minutes from the first refusal, so only the CRD watch can
 * make the ServiceMonitor appear within this test's minute.
 */
describe('a Prometheus operator installed after the Gravix operator, on a real kube-apiserver', () => {
  let env: KubeTestEnv;
  let operator: RunningOperator;

  beforeAll(async () => {
    env = await startKubeTestEnv();
    operator = await startTestOperator(env, {
      GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_SECONDS: '600',
      GRAVIX_OPERATOR_OPTIONAL_KIND_RETRY_MAX_SECONDS: '600',
    });
  });

  afterAll(async () => {
    await operator?.stop();
    await env?.stop();
  });

  const serviceMonitors = async () => {
    const list = (await getOrUndefined(
      env.client,
      '/apis/monitoring.coreos.com/v1/namespaces/default/servicemonitors?labelSelector=gravix.dev%2Fpipeline%3Dmon',
    )) as { items: KubeObject[] } | undefined;
    return list?.items ?? [];
  };

  it('applies the pipeline’s ServiceMonitor and PrometheusRule as soon as their CRDs are established', async () => {
    await env.client.request({
      method: 'POST',
      path: pipelinePath(),
      body: pipelineObject({ monitoring: { enabled: true } }, 'mon'),
    });
    await eventually('mon reconciled without the Prometheus operator', async () => {
      const p = (await getOrUndefined(env.client, pipelinePath('mon'))) as
        { status?: { observedGeneration?: number } } | undefined;
      return p?.status?.observedGeneration === 1;
    });
    // The ServiceMonitor watch has been refused (404) and now waits 600 s before asking again.
    await eventually('the ServiceMonitor watch refused', async () => {
      const restarts = await operator.metrics.watchRestarts.get();
      return restarts.values.some((v) => v.labels['kind'] === 'ServiceMonitor' && v.value > 0);
    });

    const installed = Date.now();
    for (const crd of monitoringCrds) await installCrd(env.client, crd);
    const monitors = await eventually('the pipeline’s ServiceMonitor', async () => {
      const items = await serviceMonitors();
      return items.length > 0 ? items : undefined;
    });
    process.stderr.write(`ServiceMonitor applied ${(Date.now() - installed) / 1000} s after the CRDs\n`);
    expect(monitors.map((m) => m.metadata?.name)).toEqual(['mon-monitoring']);
    await eventually('the pipeline’s PrometheusRule', () =>
      getOrUndefined(
        env.client,
        '/apis/monitoring.coreos.com/v1/namespaces/default/prometheusrules/mon-monitoring',
      ),
    );
  });
});

/**
 * A CRD can be Established while the apiserver still answers 404 for its kind: a moment after the event on a fresh
 * install (the apiserver's own informer catches up), or as long as the version the operator reads is not served.
 * The operator's CRD watch wakes the kind's watch on the event (retryNow); a 404 then must be retried within
 * seconds, not sent back to the unserved backoff of up to 10 minutes (docs/adr/0114). A version served later is the
 * deterministic stand-in for the moment: nothing wakes the watch when it becomes served.
 */
describe('an Established CRD whose kind the apiserver does not serve yet, on a real kube-apiserver', () => {
  let env: KubeTestEnv;
  const path = '/apis/monitoring.coreos.com/v1/namespaces/default/servicemonitors';
  const [serviceMonitorCrd] = monitoringCrds;
  const withV1Served = (served: boolean) => {
    const crd = structuredClone(serviceMonitorCrd!);
    crd.spec.versions = [
      { ...crd.spec.versions[0]!, name: 'v1alpha1', served: true, storage: false },
      { ...crd.spec.versions[0]!, served, storage: true },
    ];
    return crd;
  };

  beforeAll(async () => {
    env = await startKubeTestEnv();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('retries the kind within seconds after the CRD’s event, and takes it up once served without another event', async () => {
    await installCrd(env.client, withV1Served(false));
    await expect(env.client.request({ method: 'GET', path })).rejects.toMatchObject({ status: 404 });
    const asked: number[] = [];
    let synced = 0;
    const client = new KubeClient(loadKubeconfigFile(env.apiserver.kubeconfigPath), {
      onRequest: (_verb, p) => void (p === path && asked.push(Date.now())),
    });
    const watcher = new Watcher({
      client,
      path,
      onEvent: () => undefined,
      onSynced: () => synced++,
      notServedRetryMs: 600_000,
      notServedMaxRetryMs: 600_000,
      establishedGraceMs: 4_000,
      logger: pino({ level: 'silent' }),
    });
    try {
      watcher.start();
      await eventually('the first list refused', async () => asked.length >= 1);
      // The CRD watch saw it Established: the kind's watch lists at once, is refused, and tries again at the
      // error pace (250 ms, doubling) for the grace, then falls back to the slow pace: no request for a while.
      // 250 ms, 500 ms, 1 s, 2 s and 4 s after the wake: the last one is past the grace at the latest.
      watcher.retryNow();
      await new Promise((r) => setTimeout(r, 14_000));
      const afterGrace = asked.length;
      expect(afterGrace).toBeGreaterThanOrEqual(4);
      await new Promise((r) => setTimeout(r, 4_000));
      expect(asked).toHaveLength(afterGrace);
      expect(synced).toBe(0);
      // Woken again (the next CRD event); this time the version becomes served while the watch retries, and no
      // further event wakes it: its own fast retry lists it.
      watcher.retryNow();
      await eventually('a fast retry after the wake', async () => asked.length >= afterGrace + 2);
      await client.apply(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${serviceMonitorCrd!.metadata.name}`,
        withV1Served(true),
        'gravix-tests',
      );
      await eventually('listed once served', async () => synced > 0, 15_000);
    } finally {
      await watcher.stop();
      client.close();
    }
  });
});
