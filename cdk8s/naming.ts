import type { GravixPipeline } from '../crds/gravix-pipeline.js';

export const PIPELINE_LABEL = 'gravix.dev/pipeline';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'gravix-operator';
/** Objects carrying this annotation are created once and never updated (generated Secrets). */
export const CREATE_ONLY_ANNOTATION = 'gravix.dev/create-only';

export type Component =
  | 'ingest'
  | 'ingest-rescue'
  | 'rollup'
  | 'query'
  | 'trino-coordinator'
  | 'trino-worker'
  | 'minio'
  | 'config'
  | 'secrets'
  | 'storage-setup'
  | 'ingress'
  | 'network-policy'
  | 'monitoring'
  | 'alert';

export function childName(pipeline: GravixPipeline, suffix: string): string {
  return `${pipeline.metadata.name}-${suffix}`;
}

/** Labels that select a component's pods; stable forever because Deployment selectors are immutable. */
export function selectorLabels(pipeline: GravixPipeline, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'gravix',
    'app.kubernetes.io/instance': pipeline.metadata.name,
    [COMPONENT_LABEL]: component,
  };
}

/**
 * Labels that never change for the life of a pipeline: what goes into immutable fields (a StatefulSet's
 * volumeClaimTemplates), where a version label would make every upgrade a refused apply.
 */
export function stableLabels(pipeline: GravixPipeline, component: Component): Record<string, string> {
  return {
    ...selectorLabels(pipeline, component),
    'app.kubernetes.io/part-of': 'gravix',
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [PIPELINE_LABEL]: pipeline.metadata.name,
  };
}

/** Labels on every child; the operator prunes by PIPELINE_LABEL + MANAGED_BY_LABEL. */
export function childLabels(pipeline: GravixPipeline, component: Component): Record<string, string> {
  return { ...stableLabels(pipeline, component), 'app.kubernetes.io/version': pipeline.spec.version };
}

export function childMetadata(pipeline: GravixPipeline, component: Component, name: string) {
  return { name, namespace: pipeline.metadata.namespace, labels: childLabels(pipeline, component) };
}
