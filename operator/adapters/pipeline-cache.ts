import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import { parsePipeline } from '../../crds/gravix-pipeline.js';
import type { PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import type { PipelinePort } from '../controller/ports.js';
import type { KubeObject } from './kube-client.js';
import type { KubePipelineApi } from './pipeline-api.js';

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * The pipelines the controller's watch saw, as the apiserver sent them. The watch updates an entry before it
 * queues the pipeline's key, so a pass started by an event reads at least what that event carried.
 */
export class PipelineCache {
  private readonly objects = new Map<string, KubeObject>();
  private listed = false;

  replace(items: KubeObject[]): void {
    this.objects.clear();
    for (const item of items) this.upsert(item);
    this.listed = true;
  }

  /** Without managedFields: a pass never reads them, and they repeat the spec's shape (docs/adr/0105). */
  upsert(object: KubeObject): void {
    const { namespace = '', name = '' } = object.metadata ?? {};
    const { managedFields: _dropped, ...metadata } = object.metadata ?? {};
    this.objects.set(keyOf(namespace, name), { ...object, metadata });
  }

  remove(object: KubeObject): void {
    const { namespace = '', name = '' } = object.metadata ?? {};
    this.objects.delete(keyOf(namespace, name));
  }

  get synced(): boolean {
    return this.listed;
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(namespace, name));
  }
}

/**
 * Pipelines through the cache: a pass reads its pipeline from the watch instead of a GET (issue #16). Before the
 * first list, a miss goes to the apiserver. A status the operator wrote is put into the cache from the PATCH's
 * answer, unless the watch brought a newer object meanwhile, so the next pass compares with what it wrote.
 */
export class CachedPipelines implements PipelinePort {
  constructor(
    private readonly inner: KubePipelineApi,
    private readonly cache: PipelineCache,
  ) {}

  async get(namespace: string, name: string): Promise<GravixPipeline | undefined> {
    if (!this.cache.synced) return this.inner.get(namespace, name);
    const raw = this.cache.get(namespace, name);
    // Checked before parsing: a pipeline being deleted needs no valid spec.
    if (!raw || (raw.metadata as { deletionTimestamp?: string }).deletionTimestamp) return undefined;
    return parsePipeline(raw);
  }

  async patchStatus(pipeline: GravixPipeline, status: PipelineStatus): Promise<void> {
    const written = await this.inner.patchStatus(pipeline, status);
    const { namespace, name, resourceVersion } = pipeline.metadata;
    const cached = this.cache.get(namespace, name);
    if (cached?.metadata?.resourceVersion === resourceVersion) this.cache.upsert(written);
  }
}
