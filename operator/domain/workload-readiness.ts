export interface WorkloadObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number; labels?: Record<string, string> };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    replicas?: number;
    /** Jobs (the storage Job). */
    succeeded?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface WorkloadReadiness {
  name: string;
  ready: boolean;
  /** The app.kubernetes.io/component label: what the workload does, for the Available condition's reason. */
  component?: string;
}

// The storage Job counts: nothing works until it has prepared the bucket (docs/adr/0063).
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);

export function isWorkload(o: WorkloadObject): boolean {
  return WORKLOAD_KINDS.has(o.kind ?? '');
}

const jobReady = (o: WorkloadObject) => (o.status?.succeeded ?? 0) >= 1;

/** Ready once its controller has seen the latest spec and enough replicas are ready (the kubectl rollout rule). */
function replicasReady(o: WorkloadObject): boolean {
  const seen = (o.status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 1);
  return seen && (o.status?.readyReplicas ?? 0) >= (o.spec?.replicas ?? 1);
}

/** Deployments and StatefulSets by the rollout rule; a Job once it succeeded. */
export function workloadReadiness(o: WorkloadObject): WorkloadReadiness {
  const component = o.metadata?.labels?.['app.kubernetes.io/component'];
  return {
    name: o.metadata?.name ?? '',
    ready: o.kind === 'Job' ? jobReady(o) : replicasReady(o),
    ...(component ? { component } : {}),
  };
}

/**
 * A Job that gave up (its backoff limit reached) is an error the user can fix, e.g. a missing external bucket:
 * the reason and where to read why, for the Degraded condition.
 */
export function failedJob(o: WorkloadObject): { reason: string; message: string } | undefined {
  if (o.kind !== 'Job') return undefined;
  const failed = o.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return undefined;
  const name = o.metadata?.name ?? '';
  return {
    reason: 'StorageSetupFailed',
    message: `Job ${name} failed (${failed.reason ?? 'Failed'}: ${failed.message ?? 'no message'}); its log says why: kubectl -n ${o.metadata?.namespace ?? ''} logs job/${name}`,
  };
}
