import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { KubeObject } from '../adapters/kube-client.js';

/** The field manager that holds a workload's replicas between the operator letting go and the HPA taking over. */
export const HANDOVER_FIELD_MANAGER = 'gravix-operator-handover';

interface ManagedField {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

const isScalable = (m: Manifest) => m.kind === 'Deployment' || m.kind === 'StatefulSet';
const desiredReplicas = (m: Manifest) => (m.spec as { replicas?: number } | undefined)?.replicas;

function ownsReplicas(live: KubeObject, fieldManager: string): boolean {
  const fields = (live.metadata?.managedFields ?? []) as ManagedField[];
  return fields.some(
    (f) =>
      f.manager === fieldManager &&
      f.operation === 'Apply' &&
      f.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined,
  );
}

/**
 * When a workload's replicas pass to an HPA, server-side apply would release the field and the apiserver would
 * reset it to 1 (3 ingest replicas dropped to 1 on a real apiserver). Returns the apply that first makes a second
 * manager co-own the current value, so the operator's release leaves it in place until the HPA scales;
 * undefined when no hand-over is due.
 */
export function planReplicasHandover(
  desired: Manifest,
  live: KubeObject | undefined,
  fieldManager: string,
): Manifest | undefined {
  if (!isScalable(desired) || desiredReplicas(desired) !== undefined || !live) return undefined;
  const replicas = (live.spec as { replicas?: number } | undefined)?.replicas;
  if (replicas === undefined || !ownsReplicas(live, fieldManager)) return undefined;
  const { name, namespace } = desired.metadata;
  return {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: { name, namespace },
    spec: { replicas },
  };
}

/** Whether applying `desired` may need the live object first (claim templates or a replicas hand-over). */
export function needsLiveObject(desired: Manifest): boolean {
  return desired.kind === 'StatefulSet' || (isScalable(desired) && desiredReplicas(desired) === undefined);
}

type PodLike = KubeObject & { metadata?: { name?: string; deletionTimestamp?: string } };

/**
 * A StatefulSet created while pods of its name still run (it was recreated with its pods orphaned: a governing
 * Service or claim template that cannot change in place) starts at as many replicas as those pods, highest ordinal
 * + 1, when its manifest leaves replicas to an HPA: created without them it would start at 1 and scale the adopted
 * pods away before the HPA's next sync. The operator's own value is then handed over as usual on the next pass.
 */
export function withOrphanedReplicas(desired: Manifest, pods: readonly PodLike[]): Manifest {
  if (desired.kind !== 'StatefulSet' || desiredReplicas(desired) !== undefined) return desired;
  const prefix = `${desired.metadata.name}-`;
  const ordinals = pods
    .filter((p) => p.metadata?.deletionTimestamp === undefined)
    .map((p) => p.metadata?.name ?? '')
    .filter((name) => name.startsWith(prefix) && /^[0-9]+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)));
  if (ordinals.length === 0) return desired;
  return { ...desired, spec: { ...(desired.spec as object), replicas: Math.max(...ordinals) + 1 } };
}
