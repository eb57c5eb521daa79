import { customResourceSchema, GROUP, NAME_FORMAT_RULE } from './gravix-pipeline-crd.js';
import { alertRuleSpecSchema, alertRuleStatusSchema } from './gravix-alert-rule-spec.js';

export const ALERT_RULE_KIND = 'GravixAlertRule';
export const ALERT_RULE_PLURAL = 'gravixalertrules';
export const ALERT_RULE_CRD_NAME = `${ALERT_RULE_PLURAL}.${GROUP}`;
/** Its own version: GravixPipeline moved to v1beta1 (docs/adr/0069), the alert rule schema is still alpha. */
export const ALERT_RULE_VERSION = 'v1alpha1';
export const ALERT_RULE_API_VERSION = `${GROUP}/${ALERT_RULE_VERSION}`;

// Alert names become label values (alertname) in Alertmanager and in object keys: a DNS label keeps both safe.
export const ALERT_RULE_NAME_RULE = {
  rule: 'self.metadata.name.size() <= 63',
  message: 'metadata.name must be at most 63 characters',
};

// `kubectl get gravixalertrules` shows what an on-call engineer asks first: is it firing, and at what value.
const printerColumns = [
  { name: 'Kind', type: 'string', jsonPath: '.spec.kind' },
  { name: 'Pipeline', type: 'string', jsonPath: '.spec.pipelineRef.name' },
  { name: 'State', type: 'string', jsonPath: '.status.state' },
  { name: 'Value', type: 'string', jsonPath: '.status.value' },
  { name: 'Firing', type: 'integer', jsonPath: '.status.firing' },
  { name: 'Evaluated', type: 'date', jsonPath: '.status.lastEvaluation' },
];

/** The GravixAlertRule CRD as a plain manifest, generated from the same schema the file and the API parse. */
export function buildAlertRuleCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: ALERT_RULE_CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'gravix' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        plural: ALERT_RULE_PLURAL,
        singular: 'gravixalertrule',
        kind: ALERT_RULE_KIND,
        shortNames: ['gxar'],
        categories: ['gravix'],
      },
      versions: [
        {
          name: ALERT_RULE_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: customResourceSchema(
            [ALERT_RULE_NAME_RULE, NAME_FORMAT_RULE],
            alertRuleSpecSchema,
            alertRuleStatusSchema,
          ),
        },
      ],
    },
  };
}
