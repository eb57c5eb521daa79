import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import type { PipelineStatus } from '../../crds/gravix-pipeline-spec.js';
import type { KubeObject } from '../adapters/kube-client.js';
import type { RegisteredKind } from '../domain/kind-registry.js';
import type { ChildRef } from '../domain/pass-memo.js';
import type { ExpansionAnswer } from '../domain/claim-growth.js';
import type { TenantObject } from '../domain/tenant-plan.js';
import type { TenantStatus } from '../../crds/gravix-tenant-spec.js';

/** What the reconciler needs of the apiserver, as ports: adapters/ implements them, tests may pass their own. */

/** The reconciled GravixPipelines. */
export interface PipelinePort {
  /** The defaulted pipeline, or undefined when it is gone or being deleted (garbage collection does the rest). */
  get(namespace: string, name: string): Promise<GravixPipeline | undefined>;
  /** Resolves with whatever the adapter learnt (the written object); the reconciler needs nothing back. */
  patchStatus(pipeline: GravixPipeline, status: PipelineStatus): Promise<unknown>;
}

/** A pipeline's children. */
export interface ChildPort {
  readonly fieldManager: string;
  apply(manifest: Manifest, fieldManager?: string): Promise<KubeObject>;
  /** Whether it was created (false: it already existed, untouched). */
  createIfAbsent(manifest: Manifest): Promise<boolean>;
  get(manifest: Manifest): Promise<KubeObject | undefined>;
  /**
   * The object as the watch cache holds it, never a request: undefined when it is not there or no cache is synced
   * for its kind (a pass that cannot prove its children unchanged synthesizes and applies them, docs/adr/0114).
   */
  peek(ref: ChildRef): KubeObject | undefined;
  growClaim(namespace: string, name: string, storage: string): Promise<void>;
  list(
    kind: Pick<RegisteredKind, 'apiVersion' | 'kind'>,
    namespace: string,
    selector: string,
  ): Promise<KubeObject[]>;
  /**
   * The same list from the apiserver, never from a cache: for the rare decision a stale read would make unsafe
   * (starting a rescue while the replica's pod still runs).
   */
  listFresh(
    kind: Pick<RegisteredKind, 'apiVersion' | 'kind'>,
    namespace: string,
    selector: string,
  ): Promise<KubeObject[]>;
  /** Background by default; Orphan leaves the dependents (a StatefulSet's pods) running for a replacement. */
  delete(object: KubeObject, propagationPolicy?: 'Background' | 'Orphan'): Promise<void>;
  /** Makes `owner` the object's only owner (a create-only child the pipeline of the same name left behind). */
  setOwner(object: KubeObject, owner: Record<string, unknown>): Promise<void>;
}

/** Cluster-scoped StorageClasses, read only while a claim is to grow (docs/adr/0105). */
export interface StorageClassPort {
  /** `{ readable: false }` when RBAC does not allow the read. */
  expansion(name: string): Promise<ExpansionAnswer>;
}

/** The GravixTenants that name a pipeline (users write them; the operator writes only their status). */
export interface TenantPort {
  ofPipeline(namespace: string, pipeline: string): Promise<TenantObject[]>;
  patchStatus(tenant: TenantObject, status: TenantStatus): Promise<void>;
}

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Events on the pipeline (best effort: recording never fails a pass). */
export interface EventPort {
  record(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void>;
}
