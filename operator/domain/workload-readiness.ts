export interface WorkloadObject {
  kind?: string;
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; readyReplicas?: number; replicas?: number };
}

export interface WorkloadReadiness {
  name: string;
  ready: boolean;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

export function isWorkload(o: WorkloadObject): boolean {
  return WORKLOAD_KINDS.has(o.kind ?? '');
}

/** Ready once its controller has seen the latest spec and enough replicas are ready (the kubectl rollout rule). */
export function workloadReadiness(o: WorkloadObject): WorkloadReadiness {
  const seen = (o.status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 1);
  const wanted = o.spec?.replicas ?? 1;
  return { name: o.metadata?.name ?? '', ready: seen && (o.status?.readyReplicas ?? 0) >= wanted };
}
