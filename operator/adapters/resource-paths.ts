/** Plural resource names of the kinds Gravix touches; a static table avoids a discovery round trip per pass. */
const PLURALS: Record<string, string> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Service: 'services',
  Event: 'events',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  CronJob: 'cronjobs',
  Job: 'jobs',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  PodDisruptionBudget: 'poddisruptionbudgets',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  ServiceMonitor: 'servicemonitors',
  PrometheusRule: 'prometheusrules',
  GravixPipeline: 'gravixpipelines',
  Lease: 'leases',
  CustomResourceDefinition: 'customresourcedefinitions',
};

export class UnknownKindError extends Error {
  readonly code = 'UNKNOWN_KIND';
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/** `/api/v1/namespaces/ns/configmaps/name` style path for an object, or its collection without a name. */
export function resourcePath(ref: ResourceRef): string {
  const plural = PLURALS[ref.kind];
  if (!plural)
    throw new UnknownKindError(
      `kind ${ref.kind} (apiVersion ${ref.apiVersion}) is not in the resource table`,
    );
  const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const ns = ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `${base}${ns}/${plural}${ref.name ? `/${encodeURIComponent(ref.name)}` : ''}`;
}
