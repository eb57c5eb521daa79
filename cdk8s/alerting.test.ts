import { makePipeline } from '../crds/testing/pipeline-fixture.js';
import { parsePipeline } from '../crds/gravix-pipeline.js';
import { ALERT_WORKER_RULES, alertDashboardUrl } from './alerting.js';
import { synthPipeline, type Manifest } from './pipeline-chart.js';

const alertsOn = { alerts: { enabled: true } };
const names = (manifests: Manifest[]) =>
  manifests
    .filter((m) => /^shop-(egress-)?alert/.test(m.metadata.name))
    .map((m) => `${m.kind}/${m.metadata.name}`);

describe('the alert worker children', () => {
  it('are not synthesized unless spec.alerts.enabled (the operator prunes them when it is turned off)', () => {
    expect(names(synthPipeline(makePipeline(), { generate: () => 'x' }))).toEqual([]);
  });

  it('are a Deployment of two replicas with its ServiceAccount, Role, RoleBinding and channels ConfigMap', () => {
    const manifests = synthPipeline(makePipeline(alertsOn), { generate: () => 'x' });
    expect(names(manifests).sort()).toEqual([
      'ConfigMap/shop-alert-channels',
      'Deployment/shop-alert',
      'NetworkPolicy/shop-egress-alert',
      'Role/shop-alert',
      'RoleBinding/shop-alert',
      'ServiceAccount/shop-alert',
    ]);
    const deployment = manifests.find(
      (m) => m.kind === 'Deployment' && m.metadata.name === 'shop-alert',
    ) as unknown as {
      spec: {
        replicas: number;
        template: { spec: { serviceAccountName: string; automountServiceAccountToken: boolean } };
      };
    };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec).toMatchObject({
      serviceAccountName: 'shop-alert',
      automountServiceAccountToken: true,
    });
    const role = manifests.find((m) => m.kind === 'Role') as unknown as { rules: unknown };
    expect(role.rules).toEqual(ALERT_WORKER_RULES);
  });

  it('lets the alert pods connect anywhere (apiserver, notification URLs), and no other pipeline pod to the apiserver', () => {
    const manifests = synthPipeline(makePipeline(alertsOn), { generate: () => 'x' });
    type Policy = { spec: { egress: unknown[] } };
    const egress = (component: string) =>
      (manifests.find((m) => m.metadata.name === `shop-egress-${component}`) as unknown as Policy).spec
        .egress;
    expect(egress('alert')).toContainEqual({});
    expect(egress('query')).not.toContainEqual({});
  });

  it('refuses a webhook channel without its signing key, and two channels of one name, with the CRD’s messages', () => {
    const hook = { name: 'pager', type: 'webhook', urlSecretRef: { name: 'h', key: 'u' } };
    expect(() => makePipeline({ alerts: { enabled: true, channels: [hook] } } as never)).toThrow(
      'hmacSecretRef is required for a webhook channel: webhooks are signed',
    );
    const slack = { name: 'team', type: 'slack', urlSecretRef: { name: 'h', key: 'u' } };
    expect(() => makePipeline({ alerts: { enabled: true, channels: [slack, slack] } } as never)).toThrow(
      'alerts.channels: each channel name must be unique',
    );
  });

  it('links notifications to the Ingress host when there is one, else to the query Service', () => {
    expect(alertDashboardUrl(makePipeline())).toBe('http://shop-query:8080/');
    const withIngress = parsePipeline({
      apiVersion: 'gravix.dev/v1beta1',
      kind: 'GravixPipeline',
      metadata: { name: 'shop', namespace: 'default' },
      spec: { ingress: { enabled: true, host: 'gravix.example.com', tlsSecretName: 'tls' } },
    });
    expect(alertDashboardUrl(withIngress)).toBe('https://gravix.example.com/');
  });
});
