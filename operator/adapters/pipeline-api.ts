import { API_VERSION, KIND } from '../../crds/gravix-pipeline-crd.js';
import { parsePipeline, type GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import type { PipelinePort } from '../controller/ports.js';
import { STRICT, type KubeClient, type KubeObject } from './kube-client.js';
import { isNotFound } from './kube-errors.js';
import { resourcePath } from './resource-paths.js';

const pipelinePath = (namespace: string, name: string, sub = '') =>
  resourcePath({ apiVersion: API_VERSION, kind: KIND, namespace, name }) + sub;

/** GravixPipelines on the apiserver: read one, merge-patch its status subresource. */
export class KubePipelineApi implements PipelinePort {
  constructor(private readonly client: KubeClient) {}

  async get(namespace: string, name: string): Promise<GravixPipeline | undefined> {
    const raw = await this.client
      .request({ method: 'GET', path: pipelinePath(namespace, name) })
      .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    // Checked before parsing: a pipeline being deleted needs no valid spec.
    if (!raw || (raw.metadata as { deletionTimestamp?: string }).deletionTimestamp) return undefined;
    return parsePipeline(raw);
  }

  /** Returns the pipeline as written (the cache keeps it). */
  async patchStatus(pipeline: GravixPipeline, status: PipelineStatus): Promise<KubeObject> {
    const { namespace, name } = pipeline.metadata;
    return this.client.request({
      method: 'PATCH',
      path: pipelinePath(namespace, name, '/status'),
      query: { fieldValidation: STRICT },
      body: { status },
      contentType: 'application/merge-patch+json',
    });
  }
}
