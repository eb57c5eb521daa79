import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { KubeObject } from '../adapters/kube-client.js';
import { deprecatedFieldsSet } from './deprecated-fields.js';
import type { Observation } from './pipeline-status.js';
import { failedJob, isWorkload, workloadReadiness, type WorkloadObject } from './workload-readiness.js';

/** What a pass saw of the pipeline's workloads (the applied objects as the apiserver answered), for its status. */
export function observePipeline(pipeline: GravixPipeline, applied: KubeObject[]): Observation {
  const workloads = (applied as WorkloadObject[]).filter(isWorkload);
  const ingest = workloads.find(
    (w) => w.kind === 'StatefulSet' && w.metadata?.name === `${pipeline.metadata.name}-ingest`,
  );
  const childFailure = workloads.map(failedJob).find((f) => f !== undefined);
  return {
    generation: pipeline.metadata.generation ?? 0,
    deprecatedFields: deprecatedFieldsSet(pipeline),
    workloads: workloads.map(workloadReadiness),
    ingestReplicas: ingest?.status?.replicas ?? 0,
    ...(childFailure ? { childFailure } : {}),
  };
}
