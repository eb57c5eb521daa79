import { buildAlertRuleCrd, ALERT_RULE_API_VERSION, ALERT_RULE_KIND } from './gravix-alert-rule-crd.js';
import { parseAlertRuleObject } from './gravix-alert-rule.js';
import { installCrd, startKubeTestEnv, type KubeTestEnv } from '../operator/testing/kube-test-env.js';

const path = (name = '') =>
  `/apis/gravix.dev/v1alpha1/namespaces/default/gravixalertrules${name ? `/${name}` : ''}`;
const object = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: ALERT_RULE_API_VERSION,
  kind: ALERT_RULE_KIND,
  metadata: { name, namespace: 'default' },
  spec: { pipelineRef: { name: 'main' }, ...spec },
});

/** The generated CRD on a real apiserver: it admits what the schema parses and refuses what it refuses. */
describe('GravixAlertRule admission on a real kube-apiserver', () => {
  let env: KubeTestEnv;

  beforeAll(async () => {
    env = await startKubeTestEnv();
    await installCrd(env.client, buildAlertRuleCrd() as { metadata: { name: string } });
  }, 120_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('stores a threshold rule with the defaults the file parser fills', async () => {
    const body = object('checkout-errors', {
      kind: 'threshold',
      threshold: { metric: 'error_rate', value: 5 },
    });
    await env.client.request({ method: 'POST', path: path(), body });
    const stored = await env.client.request<unknown>({ method: 'GET', path: path('checkout-errors') });
    expect((stored as { spec: unknown }).spec).toEqual(parseAlertRuleObject(body).spec);
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    [
      'a kind without its block',
      'no-block',
      { kind: 'slo', threshold: { metric: 'p95', value: 1 } },
      'exactly the block named by kind must be set (threshold, slo, anomaly or silence)',
    ],
    [
      'a latency SLO without a threshold',
      'latency-slo',
      { kind: 'slo', slo: { sli: 'latency', objective: 99.9 } },
      'latencyThresholdMs is required when sli is latency',
    ],
    [
      'a duration that is not one',
      'bad-window',
      { kind: 'threshold', threshold: { metric: 'p95', value: 300, window: '5 minutes' } },
      'spec.threshold.window: Invalid value: "5 minutes"',
    ],
    [
      'a missing pipeline reference',
      'no-pipeline',
      { pipelineRef: undefined, kind: 'silence', silence: {} },
      'spec.pipelineRef: Required value',
    ],
  ])('refuses %s', async (_what, name, spec, message) => {
    await expect(
      env.client.request({ method: 'POST', path: path(), body: object(name, spec) }),
    ).rejects.toThrow(message);
  });

  it('keeps a status written through the status subresource', async () => {
    const body = object('quiet', { kind: 'silence', silence: { minutes: 5 } });
    await env.client.request({ method: 'POST', path: path(), body });
    const status = { state: 'firing', value: '0 req/min', firing: 1, lastEvaluation: '2026-12-02T14:00:00Z' };
    await env.client.request({
      method: 'PATCH',
      path: `${path('quiet')}/status`,
      body: { status },
      contentType: 'application/merge-patch+json',
    });
    const stored = await env.client.request<{ status: unknown }>({ method: 'GET', path: path('quiet') });
    expect(stored.status).toEqual(status);
  });
});
