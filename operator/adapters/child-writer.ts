import type { Manifest } from '../../cdk8s/pipeline-chart.js';
import type { ChildPort } from '../controller/ports.js';
import type { RegisteredKind } from '../domain/kind-registry.js';
import { STRICT, type KubeClient, type KubeObject } from './kube-client.js';
import { isConflict, isNotFound } from './kube-errors.js';
import { resourcePath } from './resource-paths.js';

/** A child the apiserver refused; names the object so the status message is actionable. */
export class ChildApplyError extends Error {
  readonly code = 'CHILD_APPLY_FAILED';
  constructor(
    readonly object: string,
    cause: unknown,
  ) {
    super(`applying ${object} failed: ${(cause as Error).message}`, { cause });
  }
}

const pathOf = (m: Manifest) =>
  resourcePath({
    apiVersion: m.apiVersion,
    kind: m.kind,
    namespace: m.metadata.namespace,
    name: m.metadata.name,
  });

/** Kubernetes IO for a pipeline's children: apply, create-once, list by label, delete. */
export class ChildWriter implements ChildPort {
  constructor(
    private readonly client: KubeClient,
    readonly fieldManager: string,
  ) {}

  async apply(manifest: Manifest, fieldManager = this.fieldManager): Promise<KubeObject> {
    try {
      return await this.client.apply(pathOf(manifest), manifest, fieldManager);
    } catch (error) {
      throw new ChildApplyError(`${manifest.kind}/${manifest.metadata.name}`, error);
    }
  }

  /** Creates the object unless it exists; never touches an existing one. Returns whether it was created. */
  async createIfAbsent(manifest: Manifest): Promise<boolean> {
    const collection = resourcePath({
      apiVersion: manifest.apiVersion,
      kind: manifest.kind,
      namespace: manifest.metadata.namespace,
    });
    try {
      await this.client.request({
        method: 'POST',
        path: collection,
        body: manifest,
        query: { fieldManager: this.fieldManager, fieldValidation: STRICT },
      });
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw new ChildApplyError(`${manifest.kind}/${manifest.metadata.name}`, error);
    }
  }

  /** The live object, or undefined when it does not exist. */
  async get(manifest: Manifest): Promise<KubeObject | undefined> {
    return this.client
      .request({ method: 'GET', path: pathOf(manifest) })
      .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }

  /** This writer has no cache: nothing is known without asking. */
  peek(): KubeObject | undefined {
    return undefined;
  }

  /** Raises a claim's storage request (the volume grows when its StorageClass allows expansion). */
  async growClaim(namespace: string, name: string, storage: string): Promise<void> {
    const path = resourcePath({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name });
    try {
      await this.client.request({
        method: 'PATCH',
        path,
        query: { fieldManager: this.fieldManager, fieldValidation: STRICT },
        body: { spec: { resources: { requests: { storage } } } },
        contentType: 'application/merge-patch+json',
      });
    } catch (error) {
      throw new ChildApplyError(`PersistentVolumeClaim/${name} (growing to ${storage})`, error);
    }
  }

  /** Makes `owner` the object's only owner (a create-only child the pipeline of the same name left behind). */
  async setOwner(object: KubeObject, owner: Record<string, unknown>): Promise<void> {
    const path = resourcePath({
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
      namespace: object.metadata?.namespace,
      name: object.metadata?.name,
    });
    try {
      await this.client.request({
        method: 'PATCH',
        path,
        query: { fieldManager: this.fieldManager },
        // The resourceVersion makes it a compare-and-swap: nobody changed the owners since we looked.
        body: { metadata: { ownerReferences: [owner], resourceVersion: object.metadata?.resourceVersion } },
        contentType: 'application/merge-patch+json',
      });
    } catch (error) {
      throw new ChildApplyError(`${object.kind}/${object.metadata?.name} (taking ownership)`, error);
    }
  }

  /** This writer has no cache: every list is fresh. */
  listFresh(
    kind: Pick<RegisteredKind, 'apiVersion' | 'kind'>,
    namespace: string,
    labelSelector: string,
  ): Promise<KubeObject[]> {
    return this.list(kind, namespace, labelSelector);
  }

  async list(
    kind: Pick<RegisteredKind, 'apiVersion' | 'kind'>,
    namespace: string,
    labelSelector: string,
  ): Promise<KubeObject[]> {
    const path = resourcePath({ apiVersion: kind.apiVersion, kind: kind.kind, namespace });
    const list = await this.client.request<{ items: KubeObject[] }>({
      method: 'GET',
      path,
      query: { labelSelector },
    });
    // List items omit apiVersion/kind; put them back so callers can key objects.
    return list.items.map((item) => ({ ...item, apiVersion: kind.apiVersion, kind: kind.kind }));
  }

  /** Background by default; Orphan leaves the dependents (a StatefulSet's pods) running for a replacement. */
  async delete(object: KubeObject, propagationPolicy: 'Background' | 'Orphan' = 'Background'): Promise<void> {
    const path = resourcePath({
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
      namespace: object.metadata?.namespace,
      name: object.metadata?.name,
    });
    await this.client.request({ method: 'DELETE', path, query: { propagationPolicy } });
  }
}
