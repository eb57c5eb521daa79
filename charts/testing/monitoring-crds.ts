import type { KubeObject } from './raw-kube-client.js';

/**
 * Minimal stand-ins for the Prometheus operator's CRDs, so the chart's optional ServiceMonitor and PrometheusRule
 * can be dry-run on the test apiserver (which has no Prometheus operator). They accept any spec.
 */
function monitoringCrd(kind: string, plural: string): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com',
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          },
        },
      ],
    },
  };
}

export function buildMonitoringCrds(): KubeObject[] {
  return [
    monitoringCrd('ServiceMonitor', 'servicemonitors'),
    monitoringCrd('PrometheusRule', 'prometheusrules'),
  ];
}
