import { API_VERSION, KIND } from '../gravix-pipeline-crd.js';
import { parsePipeline, type GravixPipeline } from '../gravix-pipeline.js';
import type { PipelineSpecInput } from '../gravix-pipeline-spec.js';

/** Test fixture: a defaulted pipeline named `name` in `default`, with spec overrides. */
export function makePipeline(
  spec: PipelineSpecInput = {},
  name = 'shop',
  namespace = 'default',
): GravixPipeline {
  return parsePipeline({ apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, spec });
}

/** The raw custom object a user would create (no defaults applied). */
export function pipelineObject(spec: PipelineSpecInput = {}, name = 'shop', namespace = 'default') {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, spec };
}
