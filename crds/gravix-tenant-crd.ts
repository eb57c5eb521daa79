import { customResourceSchema, GROUP } from './gravix-pipeline-crd.js';
import { TENANT_ID_PATTERN, tenantSpecSchema, tenantStatusSchema } from './gravix-tenant-spec.js';

export const TENANT_KIND = 'GravixTenant';
export const TENANT_PLURAL = 'gravixtenants';
export const TENANT_CRD_NAME = `${TENANT_PLURAL}.${GROUP}`;
/** Its own version, like GravixAlertRule: the tenant schema is new and still alpha. */
export const TENANT_VERSION = 'v1alpha1';
export const TENANT_API_VERSION = `${GROUP}/${TENANT_VERSION}`;

// The object's name is the tenant id: it names raw keys, API keys and audit prefixes, so it must be one.
export const TENANT_NAME_RULE = {
  rule: `self.metadata.name.matches('${TENANT_ID_PATTERN}')`,
  message: 'metadata.name is the tenant id: 1-63 of a-z 0-9 - starting with a letter or digit',
};

// `kubectl get gravixtenants` answers which pipeline serves a tenant, its rate quota and whether it reached it.
const printerColumns = [
  { name: 'Pipeline', type: 'string', jsonPath: '.spec.pipelineRef.name' },
  { name: 'Display', type: 'string', jsonPath: '.spec.displayName' },
  { name: 'Events/s', type: 'integer', jsonPath: '.spec.quotas.eventsPerSecond' },
  { name: 'Status', type: 'string', jsonPath: '.status.phase' },
  { name: 'Reason', type: 'string', jsonPath: '.status.reason', priority: 1 },
  { name: 'Published', type: 'boolean', jsonPath: '.status.published', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The GravixTenant CRD as a plain manifest, generated from the same schema the tenants file parses. */
export function buildTenantCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: TENANT_CRD_NAME, labels: { 'app.kubernetes.io/part-of': 'gravix' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        plural: TENANT_PLURAL,
        singular: 'gravixtenant',
        kind: TENANT_KIND,
        shortNames: ['gxt'],
        categories: ['gravix'],
      },
      versions: [
        {
          name: TENANT_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: customResourceSchema([TENANT_NAME_RULE], tenantSpecSchema, tenantStatusSchema),
        },
      ],
    },
  };
}
