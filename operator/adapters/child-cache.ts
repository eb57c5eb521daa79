import { createHash } from 'node:crypto';
import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { ChildPort } from '../controller/ports.js';
import { TENANT_AUTHORS_FILE } from '../../cdk8s/tenant-authors-file.js';
import { TENANTS_FILE } from '../../cdk8s/tenants-config.js';
import type { CachedPart, RegisteredKind } from '../domain/kind-registry.js';
import type { ChildRef } from '../domain/pass-memo.js';
import type { KubeObject } from './kube-client.js';

type KindRef = Pick<RegisteredKind, 'apiVersion' | 'kind'> & { cached?: CachedPart };

const kindKey = (k: KindRef) => `${k.apiVersion}|${k.kind}`;
const objectKey = (k: KindRef, namespace: string | undefined, name: string | undefined) =>
  `${kindKey(k)}|${namespace ?? ''}|${name ?? ''}`;

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:spec'?: Record<string, unknown> };
}

/**
 * What the cache keeps of an object: all of it but its managedFields' field sets, which the apiserver returns with
 * every object (for a server-side applied workload as large as its spec) and which the operator reads for one
 * question only: who owns `spec.replicas` (operator/domain/replicas-handover.ts). Each entry keeps its manager and
 * operation, and `f:spec.f:replicas` when it had it. client-go's informers strip managedFields for the same reason
 * (TransformStripManagedFields).
 */
export function trimForCache(object: KubeObject, part: CachedPart = 'whole'): KubeObject {
  const entries = object.metadata?.['managedFields'] as ManagedFieldsEntry[] | undefined;
  const trimmed = entries?.map(({ manager, operation, fieldsV1 }) => ({
    manager,
    operation,
    ...(fieldsV1?.['f:spec']?.['f:replicas'] !== undefined && {
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    }),
  }));
  const base = trimmed ? { ...object, metadata: { ...object.metadata, managedFields: trimmed } } : object;
  return keepPart(base, part);
}

/**
 * Drops what no pass reads of a kind (its registry entry's `cached`; docs/adr/0105): at 100 pipelines the pod
 * templates, Service/policy specs and config data were most of the cache, read by nothing (a pass applies its
 * manifests and detects drift by resourceVersion, never by comparing content).
 */
function keepPart(object: KubeObject, part: CachedPart): KubeObject {
  const { apiVersion, kind, metadata } = object;
  if (part === 'metadata') return { apiVersion, kind, metadata };
  if (part === 'without-pod-template') {
    const spec = object['spec'] as Record<string, unknown> | undefined;
    if (!spec?.['template']) return object;
    const { template: _dropped, ...rest } = spec;
    return { ...object, spec: rest };
  }
  if (part === 'published-tenants') {
    const data = object['data'] as Record<string, string> | undefined;
    const kept = Object.entries(data ?? {}).filter(
      ([file]) => file === TENANT_AUTHORS_FILE || file === TENANTS_FILE,
    );
    return { apiVersion, kind, metadata, ...(kept.length > 0 && { data: Object.fromEntries(kept) }) };
  }
  return object;
}

/**
 * The informer store: every child the controller's watches saw, by kind, namespace and name. Fed by the watches
 * (a list replaces a kind's entries, events update them); read by the reconciler instead of listing ten kinds and
 * reading live objects on every pass.
 */
export class ChildCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly synced = new Set<string>();

  /** A fresh list of one kind: it replaces every entry of that kind (what disappeared meanwhile goes). */
  replace(kind: KindRef, items: KubeObject[]): void {
    const prefix = `${kindKey(kind)}|`;
    for (const key of this.objects.keys()) if (key.startsWith(prefix)) this.objects.delete(key);
    for (const item of items) this.upsert(kind, item);
    this.synced.add(kindKey(kind));
  }

  upsert(kind: KindRef, object: KubeObject): void {
    const { namespace, name } = object.metadata ?? {};
    const { apiVersion, kind: kindName } = kind;
    this.objects.set(objectKey(kind, namespace, name), {
      ...trimForCache(object, kind.cached),
      apiVersion,
      kind: kindName,
    });
  }

  remove(kind: KindRef, object: KubeObject): void {
    this.objects.delete(objectKey(kind, object.metadata?.namespace, object.metadata?.name));
  }

  isSynced(kind: KindRef): boolean {
    return this.synced.has(kindKey(kind));
  }

  get(kind: KindRef, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(objectKey(kind, namespace, name));
  }

  /** Objects of a kind in a namespace whose labels match every `key=value` of an equality selector. */
  list(kind: KindRef, namespace: string, selector: string): KubeObject[] {
    const wanted = selector
      .split(',')
      .filter(Boolean)
      .map((term) => term.split('=') as [string, string]);
    const prefix = `${kindKey(kind)}|${namespace}|`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, object]) => object)
      .filter((o) => {
        const labels = (o.metadata?.['labels'] ?? {}) as Record<string, string>;
        return wanted.every(([k, v]) => labels[k] === v);
      });
  }
}

/**
 * Children through the cache: a manifest identical to the one this operator last applied, to an object unchanged
 * since (same resourceVersion), is not applied again; Secrets in the cache are not created again; reads and lists
 * of watched kinds come from the cache. So a resync of a steady pipeline writes nothing. Anything else (drift,
 * a deleted object, a kind not watched yet) goes to the apiserver.
 */
export class CachedChildren implements ChildPort {
  private readonly applied = new Map<string, { hash: string; resourceVersion: string | undefined }>();

  constructor(
    private readonly inner: ChildPort,
    private readonly cache: ChildCache,
  ) {}

  get fieldManager(): string {
    return this.inner.fieldManager;
  }

  private cached(m: Manifest): KubeObject | undefined {
    return this.cache.get(m, m.metadata.namespace ?? '', m.metadata.name);
  }

  async apply(manifest: Manifest, fieldManager?: string): Promise<KubeObject> {
    if (fieldManager !== undefined && fieldManager !== this.fieldManager)
      return this.inner.apply(manifest, fieldManager);
    const key = objectKey(manifest, manifest.metadata.namespace, manifest.metadata.name);
    const hash = createHash('sha256').update(JSON.stringify(manifest)).digest('hex');
    const live = this.cached(manifest);
    const last = this.applied.get(key);
    if (live && last?.hash === hash && last.resourceVersion === live.metadata?.resourceVersion) return live;
    const result = await this.inner.apply(manifest);
    this.applied.set(key, { hash, resourceVersion: result.metadata?.resourceVersion });
    return result;
  }

  async createIfAbsent(manifest: Manifest): Promise<boolean> {
    if (this.cache.isSynced(manifest) && this.cached(manifest)) return false;
    return this.inner.createIfAbsent(manifest);
  }

  /** A cache miss still asks the apiserver: a just-created object may not have reached the watch yet. */
  async get(manifest: Manifest): Promise<KubeObject | undefined> {
    return this.cached(manifest) ?? this.inner.get(manifest);
  }

  peek(ref: ChildRef): KubeObject | undefined {
    return this.cache.isSynced(ref) ? this.cache.get(ref, ref.namespace, ref.name) : undefined;
  }

  growClaim(namespace: string, name: string, storage: string): Promise<void> {
    return this.inner.growClaim(namespace, name, storage);
  }

  async list(kind: KindRef, namespace: string, selector: string): Promise<KubeObject[]> {
    if (this.cache.isSynced(kind)) return this.cache.list(kind, namespace, selector);
    return this.inner.list(kind, namespace, selector);
  }

  listFresh(kind: KindRef, namespace: string, selector: string): Promise<KubeObject[]> {
    return this.inner.listFresh(kind, namespace, selector);
  }

  delete(object: KubeObject, propagationPolicy?: 'Background' | 'Orphan'): Promise<void> {
    return this.inner.delete(object, propagationPolicy);
  }

  setOwner(object: KubeObject, owner: Record<string, unknown>): Promise<void> {
    return this.inner.setOwner(object, owner);
  }
}
