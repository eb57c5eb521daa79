import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import { API_VERSION, KIND } from '../../crds/gravix-pipeline-crd.js';
import { synthPipeline, type Manifest } from '../../cdk8s/pipeline-chart.js';
import { CREATE_ONLY_ANNOTATION } from '../../cdk8s/naming.js';
import type { SecretGenerator } from '../../cdk8s/secrets.js';
import type { PublishedTenants } from '../../cdk8s/tenants-config.js';

export interface DesiredState {
  /** Server-side applied on every pass. */
  applied: Manifest[];
  /** Created only when absent (generated Secrets), never updated. */
  createOnly: Manifest[];
}

export interface DesiredStateOptions {
  generate: SecretGenerator;
  prometheusOperator: boolean;
  /** Hash of the generated Secrets' live values: pods that read them roll when it changes. */
  secretsHash?: string;
  /** Scaled-away ingest replicas whose claims get a rescue Job (domain/ingest-rescue.ts). */
  ingestRescue?: number[];
  /** The pipeline's GravixTenants, rendered into its tenants ConfigMap (domain/tenant-plan.ts). */
  tenants?: PublishedTenants;
}

/** The controller ownerReference: children are garbage-collected with their pipeline. */
export function ownerReference(pipeline: GravixPipeline) {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: pipeline.metadata.name,
    uid: pipeline.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Every child of the pipeline, owned by it, split by how the operator writes it. */
export function buildDesiredState(pipeline: GravixPipeline, options: DesiredStateOptions): DesiredState {
  const owned = withOwner(pipeline, synthPipeline(pipeline, options));
  const isCreateOnly = (m: Manifest) => m.metadata.annotations?.[CREATE_ONLY_ANNOTATION] === 'true';
  return { applied: owned.filter((m) => !isCreateOnly(m)), createOnly: owned.filter(isCreateOnly) };
}

export function withOwner(pipeline: GravixPipeline, manifests: Manifest[]): Manifest[] {
  const owner = ownerReference(pipeline);
  return manifests.map((m) => ({ ...m, metadata: { ...m.metadata, ownerReferences: [owner] } }));
}

export function objectKey(o: { kind?: string; metadata?: { name?: string } }): string {
  return `${o.kind}/${o.metadata?.name}`;
}
