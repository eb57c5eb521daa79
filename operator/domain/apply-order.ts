import type { Manifest } from '../../cdk8s/pipeline-chart.js';

/**
 * Tiers applied one after another (each tier in parallel): what others read first (config, Services, policies),
 * then storage, then the storage Job, then the workloads, then what points at workloads. A tier the apiserver
 * refuses stops the pass before anything that depends on it changes, so an upgrade is never half applied
 * in the wrong direction (new workers against an old config or a MinIO that did not take its change).
 */
const TIER_OF_KIND: Record<string, number> = {
  ConfigMap: 0,
  Secret: 0,
  Service: 0,
  NetworkPolicy: 0,
  // The alert worker's identity and rights exist before its pods start. A RoleBinding is authorized against the
  // Role it names (RBAC's escalation check), so it waits a tier for that Role: applied together, the binding was
  // refused with 404 on a real apiserver when it went first.
  ServiceAccount: 0,
  Role: 0,
  RoleBinding: 2,
  Job: 2,
  Deployment: 3,
  StatefulSet: 3,
  HorizontalPodAutoscaler: 4,
  PodDisruptionBudget: 4,
  Ingress: 4,
  ServiceMonitor: 4,
  PrometheusRule: 4,
};
const STORAGE_COMPONENT = 'minio';
const LAST_TIER = 4;

function tierOf(m: Manifest): number {
  if (m.kind === 'StatefulSet' && m.metadata.labels?.['app.kubernetes.io/component'] === STORAGE_COMPONENT)
    return 1;
  return TIER_OF_KIND[m.kind] ?? LAST_TIER;
}

/** Groups manifests into dependency tiers, in the order they must be applied; empty tiers are dropped. */
export function planApplyOrder(manifests: Manifest[]): Manifest[][] {
  const tiers: Manifest[][] = Array.from({ length: LAST_TIER + 1 }, () => []);
  for (const m of manifests) tiers[tierOf(m)]!.push(m);
  return tiers.filter((t) => t.length > 0);
}
