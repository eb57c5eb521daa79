/** Kinds the operator applies, watches and prunes. Secrets are absent on purpose: they are create-only. */
export interface OwnedKind {
  apiVersion: string;
  kind: string;
  /** Served only when the Prometheus operator CRDs are installed. */
  prometheusOperator?: boolean;
}

export const OWNED_KINDS: readonly OwnedKind[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  // Rollup was a CronJob before docs/adr/0062; kept so upgrades prune it.
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', prometheusOperator: true },
  { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', prometheusOperator: true },
];

/** Secrets are watched (to restore a deleted one) but never pruned or re-applied. */
export const SECRET_KIND: OwnedKind = { apiVersion: 'v1', kind: 'Secret' };

export function ownedKinds(prometheusOperator: boolean): OwnedKind[] {
  return OWNED_KINDS.filter((k) => prometheusOperator || !k.prometheusOperator);
}
