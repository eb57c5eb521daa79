import { pipelineObject } from '../crds/testing/pipeline-fixture.js';
import type { KubeObject } from './adapters/kube-client.js';
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
