import { TENANT_API_VERSION, TENANT_KIND } from '../../crds/gravix-tenant-crd.js';
import type { TenantStatus } from '../../crds/gravix-tenant-spec.js';
import type { TenantPort } from '../controller/ports.js';
import { tenantPipeline, type TenantObject } from '../domain/tenant-plan.js';
import { STRICT, type KubeClient, type KubeObject } from './kube-client.js';
import { isNotFound } from './kube-errors.js';
import { resourcePath } from './resource-paths.js';

const generationOf = (o: KubeObject) => (o.metadata as { generation?: number } | undefined)?.generation;
const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * The GravixTenants the controller's watch saw. A pass reads its pipeline's tenants from here (no LIST per pass).
 * It also decides which passes a watch event wakes: the pipeline a new or changed tenant names, and the one it
 * named before when it moved (that pipeline's tenants file must drop it); not a status write.
 */
export class TenantCache {
  private readonly objects = new Map<string, KubeObject>();
  private listed = false;

  get synced(): boolean {
    return this.listed;
  }

  /** A fresh list; returns the pipelines to visit (see upsert) plus those of tenants that went meanwhile. */
  replace(items: KubeObject[]): string[] {
    const gone = [...this.objects.values()].filter((o) => !items.some((i) => keyOf(i) === keyOf(o)));
    const wake = items.flatMap((item) => this.upsert(item).map((p) => `${item.metadata?.namespace}/${p}`));
    for (const o of gone) {
      this.objects.delete(keyOf(o));
      const pipeline = tenantPipeline(o);
      if (pipeline) wake.push(`${o.metadata?.namespace}/${pipeline}`);
    }
    this.listed = true;
    return wake;
  }

  /**
   * The pipelines whose pass this event concerns: the one the tenant names and the one it named before, when it is
   * new or its spec (generation) changed; none for a status write (ours) or a relist of what is known.
   */
  upsert(object: KubeObject): string[] {
    const before = this.objects.get(keyOf(object));
    this.objects.set(keyOf(object), object);
    const now = tenantPipeline(object);
    const previous = before ? tenantPipeline(before) : undefined;
    const same =
      before !== undefined &&
      before.metadata?.uid === object.metadata?.uid &&
      generationOf(before) === generationOf(object) &&
      previous === now;
    if (same) return [];
    return [...new Set([now, previous].filter((p): p is string => p !== undefined))];
  }

  remove(object: KubeObject): void {
    this.objects.delete(keyOf(object));
  }

  ofPipeline(namespace: string, pipeline: string): TenantObject[] {
    return [...this.objects.values()].filter(
      (o) => o.metadata?.namespace === namespace && tenantPipeline(o) === pipeline,
    ) as unknown as TenantObject[];
  }
}

/** Tenants through the cache; status written with a merge patch of the status subresource. */
export class CachedTenants implements TenantPort {
  constructor(
    private readonly client: KubeClient,
    private readonly cache: TenantCache,
  ) {}

  /**
   * Before the watch's first list the apiserver is asked: a pass must never publish an empty tenants file because
   * the operator has just started (every quota would lift and the audit log would record deletions).
   */
  async ofPipeline(namespace: string, pipeline: string): Promise<TenantObject[]> {
    if (this.cache.synced) return this.cache.ofPipeline(namespace, pipeline);
    const path = resourcePath({ apiVersion: TENANT_API_VERSION, kind: TENANT_KIND, namespace });
    // Not served (the CRD is not installed): there is no tenant to publish.
    const list = await this.client
      .request<{ items: KubeObject[] }>({ method: 'GET', path })
      .catch((e: unknown) => (isNotFound(e) ? { items: [] } : Promise.reject(e)));
    return list.items
      .map((item) => ({ ...item, metadata: { ...item.metadata, namespace } }))
      .filter((o) => tenantPipeline(o) === pipeline) as unknown as TenantObject[];
  }

  /** A tenant deleted meanwhile needs no status: its 404 is not a failure of the pass. */
  async patchStatus(tenant: TenantObject, status: TenantStatus): Promise<void> {
    const path =
      resourcePath({
        apiVersion: TENANT_API_VERSION,
        kind: TENANT_KIND,
        namespace: tenant.metadata.namespace,
        name: tenant.metadata.name,
      }) + '/status';
    const written = await this.client
      .request({
        method: 'PATCH',
        path,
        query: { fieldValidation: STRICT },
        body: { status },
        contentType: 'application/merge-patch+json',
      })
      .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    // The next pass compares with what was written, not with the object the watch has not updated yet.
    if (written) this.cache.upsert(written);
  }
}
