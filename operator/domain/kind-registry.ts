import { ALERT_WORKER_RULES } from '../../cdk8s/alerting.js';
import { API_VERSION, KIND, PLURAL } from '../../crds/gravix-pipeline-crd.js';
import {
  TENANT_API_VERSION,
  TENANT_CRD_NAME,
  TENANT_KIND,
  TENANT_PLURAL,
} from '../../crds/gravix-tenant-crd.js';

/**
 * How the operator writes a kind. The mode decides which kinds are watched and pruned and which RBAC verbs the
 * chart grants (the chart's rules are compared with `rbacRules` in charts/gravix-operator.int.test.ts).
 */
export type WriteMode =
  /** The reconciled resource: watched and read; only its status is written. */
  | 'reconciled'
  /** Server-side applied on every pass; watched (drift wakes a pass) and pruned when no longer synthesized. */
  | 'apply'
  /**
   * Created only when absent (generated Secrets), never updated or pruned; watched so a deleted one returns. Its
   * owner may be replaced (one a deleted pipeline of the same name left) and one a release retired is deleted.
   */
  | 'create-only'
  /** No longer synthesized: watched and pruned only, so an upgrade removes what an older version applied. */
  | 'prune-only'
  /**
   * Never applied: watched into the cache and its storage request patched (a StatefulSet's claim template cannot
   * grow); an ingest claim is deleted once its rescue Job uploaded it (docs/adr/0067).
   */
  | 'grow-only'
  /** Watched into the cache, never written (pods: a rescue waits until the scaled-away pod is gone). */
  | 'list-only'
  /** Events: created, read and patched (aggregated like client-go's correlator). */
  | 'record'
  /**
   * Written by users, read by the operator from a watch of its own and only its status written (GravixTenant: a
   * pipeline's tenants, rendered into the pipeline's tenants ConfigMap).
   */
  | 'referenced';

/**
 * What the watch cache keeps of a kind's objects: what some pass reads, nothing more (docs/adr/0105). `metadata`:
 * names, labels, owners, resourceVersion (pruning, drift, a pod that went); `without-pod-template`: workloads, whose
 * replicas, claim templates, governing Service and status a pass reads, never the pod template it applies;
 * `published-tenants`: ConfigMaps, of whose data only the tenants ConfigMap's two files are read (its authors for
 * tombstones, its tenants file for the last valid settings of a tenant whose spec turned invalid). Default: whole.
 */
export type CachedPart = 'whole' | 'metadata' | 'without-pod-template' | 'published-tenants';

export interface RegisteredKind {
  apiVersion: string;
  kind: string;
  plural: string;
  write: WriteMode;
  /** Served only when the Prometheus operator CRDs are installed. */
  prometheusOperator?: boolean;
  cached?: CachedPart;
}

/**
 * Every kind the operator touches in a watched namespace; one list for watches, pruning, paths and RBAC. The
 * leader-election Lease is not here: it lives in the operator's own namespace, under a Role of its own.
 */
export const KIND_REGISTRY: readonly RegisteredKind[] = [
  { apiVersion: API_VERSION, kind: KIND, plural: PLURAL, write: 'reconciled' },
  { apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, plural: TENANT_PLURAL, write: 'referenced' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', write: 'apply', cached: 'published-tenants' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', write: 'apply', cached: 'metadata' },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', write: 'create-only' },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    plural: 'deployments',
    write: 'apply',
    cached: 'without-pod-template',
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    write: 'apply',
    cached: 'without-pod-template',
  },
  // Rollup was a CronJob before docs/adr/0062.
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', write: 'prune-only', cached: 'metadata' },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', write: 'apply', cached: 'without-pod-template' },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    write: 'apply',
    cached: 'metadata',
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    write: 'apply',
    cached: 'metadata',
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    plural: 'ingresses',
    write: 'apply',
    cached: 'metadata',
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    write: 'apply',
    cached: 'metadata',
  },
  // The alert worker's identity and Role (cdk8s/alerting.ts).
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', write: 'apply', cached: 'metadata' },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    plural: 'roles',
    write: 'apply',
    cached: 'metadata',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    write: 'apply',
    cached: 'metadata',
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    write: 'apply',
    prometheusOperator: true,
    cached: 'metadata',
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    write: 'apply',
    prometheusOperator: true,
    cached: 'metadata',
  },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', write: 'grow-only' },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', write: 'list-only', cached: 'metadata' },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', write: 'record' },
];

export class UnknownKindError extends Error {
  readonly code = 'UNKNOWN_KIND';
}

/** The registry entry of a kind; a kind the operator does not know is a programming error, named. */
export function registeredKind(apiVersion: string, kind: string): RegisteredKind {
  const found = KIND_REGISTRY.find((k) => k.apiVersion === apiVersion && k.kind === kind);
  if (!found)
    throw new UnknownKindError(`kind ${kind} (apiVersion ${apiVersion}) is not in the kind registry`);
  return found;
}

/** Children watched into the informer cache (a pass reads them from there, not with a LIST). */
export function watchedChildKinds(): RegisteredKind[] {
  return KIND_REGISTRY.filter(
    (k) => k.write !== 'reconciled' && k.write !== 'record' && k.write !== 'referenced',
  );
}

export type ChildEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Which watch events of a child wake its pipeline's pass. What the operator writes wakes on every change (drift,
 * readiness). Claims wake when they appear or go (a scaled-away replica's claim to rescue); pods only when one
 * goes (its rescue may start now): their status changes all day and no pass would act on them.
 */
export function wakesPipeline(kind: RegisteredKind, event: ChildEvent): boolean {
  if (kind.write === 'grow-only') return event !== 'MODIFIED';
  if (kind.write === 'list-only') return event === 'DELETED';
  return true;
}

/** Kinds listed for pruning; Prometheus operator kinds only when that API is served. */
export function prunedKinds(prometheusOperator: boolean): RegisteredKind[] {
  return KIND_REGISTRY.filter(
    (k) => (k.write === 'apply' || k.write === 'prune-only') && (prometheusOperator || !k.prometheusOperator),
  );
}

const VERBS: Record<WriteMode, string[]> = {
  reconciled: ['get', 'list', 'watch'],
  apply: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  'create-only': ['get', 'list', 'watch', 'create', 'patch', 'delete'],
  'prune-only': ['get', 'list', 'watch', 'delete'],
  'grow-only': ['get', 'list', 'watch', 'patch', 'delete'],
  'list-only': ['list', 'watch'],
  record: ['get', 'create', 'patch'],
  referenced: ['get', 'list', 'watch'],
};

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/**
 * The RBAC rules each mode needs, one rule per resource. The reconciled resource also needs its status
 * subresource, and update on its finalizers: children carry `blockOwnerDeletion`, which clusters running the
 * OwnerReferencesPermissionEnforcement admission plugin allow only to whoever may set the owner's finalizers.
 * Last, the alert worker's rules: the operator never uses them, but the apiserver lets it create the worker's Role
 * only if it holds every rule it grants (RBAC's escalation check).
 */
export function rbacRules(): RbacRule[] {
  return [...KIND_REGISTRY.flatMap(kindRules), ...ALERT_WORKER_RULES];
}

function kindRules(k: RegisteredKind): RbacRule[] {
  const apiGroups = [groupOf(k.apiVersion)];
  const rule = { apiGroups, resources: [k.plural], verbs: VERBS[k.write] };
  const status = { apiGroups, resources: [`${k.plural}/status`], verbs: ['get', 'patch'] };
  if (k.write === 'referenced') return [rule, status];
  if (k.write !== 'reconciled') return [rule];
  return [rule, status, { apiGroups, resources: [`${k.plural}/finalizers`], verbs: ['update'] }];
}

/** The CustomResourceDefinition of an optional kind (`servicemonitors.monitoring.coreos.com`). */
export const crdNameOf = (k: Pick<RegisteredKind, 'apiVersion' | 'plural'>) =>
  `${k.plural}.${groupOf(k.apiVersion)}`;

/** The optional kinds (the Prometheus operator's), whose CRDs the operator watches where RBAC allows. */
export const optionalKinds = (): RegisteredKind[] => KIND_REGISTRY.filter((k) => k.prometheusOperator);

/**
 * Cluster-scoped reads, granted by the chart with `watchAllNamespaces` or `rbac.clusterReads` (docs/adr/0105):
 * a claim's StorageClass before growing it, and the optional kinds' CRDs by name (the GravixTenant CRD too, docs/
 * adr/0121), so a Prometheus operator or the tenant CRD installed later is noticed at once. Without them the operator works as before (the apiserver's refusal of a growth; a
 * slow retry of the unserved kinds).
 */
export function clusterReadRules(): RbacRule[] {
  return [
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
    {
      apiGroups: ['apiextensions.k8s.io'],
      resources: ['customresourcedefinitions'],
      resourceNames: [...optionalKinds().map(crdNameOf), TENANT_CRD_NAME],
      verbs: ['get', 'list', 'watch'],
    },
  ];
}
