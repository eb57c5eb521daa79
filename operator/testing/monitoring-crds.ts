/**
 * Minimal stand-ins for the Prometheus operator's CRDs (the test apiserver has no Prometheus operator), so
 * ServiceMonitors and PrometheusRules from the operator and the chart can be applied and dry-run. Any spec goes.
 */
function stubCrd(kind: string, plural: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: 'monitoring.coreos.com',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
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

export const monitoringCrds = [
  stubCrd('ServiceMonitor', 'servicemonitors'),
  stubCrd('PrometheusRule', 'prometheusrules'),
];
