import type { EnvVar } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';

/**
 * The query server's own settings from the pipeline (workers/query/config.ts names them); the shared ones come
 * from the pipeline ConfigMap. In the pod template, not the ConfigMap: only query reads them, and a change rolls
 * only the query pods.
 */
export function buildQueryEnv(pipeline: GravixPipeline): EnvVar[] {
  const { traceUrlTemplate } = pipeline.spec.query;
  return traceUrlTemplate === undefined
    ? []
    : [{ name: 'GRAVIX_TRACE_URL_TEMPLATE', value: traceUrlTemplate }];
}
