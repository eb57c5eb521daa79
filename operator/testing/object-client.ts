import type { KubeApiserver } from '../../testbin/harness/kube-apiserver.js';
import { KubeClient, type KubeRequest } from '../adapters/kube-client.js';
import { loadKubeconfigFile } from '../adapters/kube-connection.js';
import { KubeApiError } from '../adapters/kube-errors.js';

/** Any object, as helm renders it (kinds the operator's registry does not know: RBAC, CRDs, Namespaces...). */
export interface AnyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ReadResult {
  status: number;
  body: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Tests' access to arbitrary kinds: the operator's own KubeClient (exact bytes, typed errors, deadlines) plus
 * discovery to find a kind's resource path, which the operator itself takes from its kind registry instead.
 */
export class ObjectClient {
  private readonly resources = new Map<string, ApiResource[]>();

  constructor(readonly client: KubeClient) {}

  static forApiserver(apiserver: KubeApiserver): ObjectClient {
    return new ObjectClient(new KubeClient(loadKubeconfigFile(apiserver.kubeconfigPath)));
  }

  close(): void {
    this.client.close();
  }

  request<T = unknown>(req: KubeRequest): Promise<T> {
    return this.client.request<T>(req);
  }

  /** The collection path of an object's kind in its namespace, found through discovery. */
  async collectionPath(obj: Pick<AnyObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const resource = (await this.discover(base)).find((r) => r.kind === obj.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`kind ${obj.kind} is not served at ${base}`);
    const namespace = obj.metadata.namespace ?? 'default';
    return resource.namespaced
      ? `${base}/namespaces/${namespace}/${resource.name}`
      : `${base}/${resource.name}`;
  }

  async create(obj: AnyObject, options: { dryRun?: boolean } = {}): Promise<unknown> {
    const path = await this.collectionPath(obj);
    return this.client.request({
      method: 'POST',
      path,
      body: obj,
      query: { dryRun: options.dryRun ? 'All' : undefined },
    });
  }

  /** The object and 200, or the apiserver's error status (404 when absent) and message. */
  async read(obj: Pick<AnyObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<ReadResult> {
    const path = `${await this.collectionPath(obj)}/${obj.metadata.name}`;
    return this.client.request({ method: 'GET', path }).then(
      (body) => ({ status: 200, body }),
      (error: unknown) => {
        if (error instanceof KubeApiError) return { status: error.status, body: error.detail };
        throw error;
      },
    );
  }

  async createNamespace(name: string): Promise<void> {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    await this.client.request({ method: 'POST', path: '/api/v1/namespaces', body }).catch((e: unknown) => {
      if (!(e instanceof KubeApiError && e.status === 409)) throw e;
    });
  }

  private async discover(base: string): Promise<ApiResource[]> {
    // A CRD's kind appears in discovery only once it is Established, so a miss is never cached.
    const cached = this.resources.get(base);
    if (cached) return cached;
    const list = await this.client
      .request<{ resources: ApiResource[] }>({ method: 'GET', path: base })
      .catch(() => undefined);
    if (!list) return [];
    this.resources.set(base, list.resources);
    return list.resources;
  }
}
