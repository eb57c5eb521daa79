import { MANAGED_BY, MANAGED_BY_LABEL, PIPELINE_LABEL } from '../../cdk8s/naming.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { isNotFound } from '../adapters/kube-errors.js';
import { objectKey } from '../domain/desired-state.js';
import { prunedKinds } from '../domain/kind-registry.js';
import { holdUntilReplaced, planPrune } from '../domain/prune-plan.js';
import { isWorkload, workloadReadiness, type WorkloadObject } from '../domain/workload-readiness.js';
import type { ChildPort } from './ports.js';

/**
 * Deletes the pipeline's labelled children this pass did not want (`keys`), each kept until what replaces it is
 * ready (holdUntilReplaced). Returns the deleted objects' keys.
 */
export async function pruneChildren(
  children: ChildPort,
  pipeline: GravixPipeline,
  keys: ReadonlySet<string>,
  applied: KubeObject[],
  prometheusOperator: boolean,
): Promise<string[]> {
  const selector = `${PIPELINE_LABEL}=${pipeline.metadata.name},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  const lists = await Promise.all(
    prunedKinds(prometheusOperator).map((kind) => children.list(kind, pipeline.metadata.namespace, selector)),
  );
  const workloads = (applied as WorkloadObject[])
    .filter(isWorkload)
    .map((w) => ({ kind: w.kind, metadata: w.metadata, ready: workloadReadiness(w).ready }));
  const stale = holdUntilReplaced(planPrune(lists.flat(), keys, pipeline.metadata.uid ?? ''), workloads);
  await Promise.all(
    stale.map((o) =>
      children.delete(o).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
    ),
  );
  return stale.map(objectKey);
}
