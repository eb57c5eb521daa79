import { request } from 'node:https';
import type { KubeApiserver } from '../../testbin/harness/kube-apiserver.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface RawResponse {
  status: number;
  body: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export class KubeRequestError extends Error {
  readonly code = 'KUBE_REQUEST_FAILED';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly response: RawResponse,
  ) {
    super(`${method} ${path} answered ${response.status}: ${describeBody(response.body)}`);
  }
}

function describeBody(body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(body);
}

/**
 * A few REST calls against the test apiserver without client-node's typed models, which drop keys they do not
 * know (e.g. a CRD's raw `x-kubernetes-validations`): manifests rendered by helm are sent exactly as rendered.
 */
export class RawKubeClient {
  private readonly resources = new Map<string, ApiResource[]>();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly ca: Buffer,
  ) {}

  static forApiserver(apiserver: KubeApiserver): RawKubeClient {
    const caData = apiserver.kubeConfig().getCurrentCluster()?.caData ?? '';
    return new RawKubeClient(apiserver.url, apiserver.token, Buffer.from(caData, 'base64'));
  }

  send(method: string, path: string, body?: unknown): Promise<RawResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolveResponse, reject) => {
      const req = request(
        `${this.url}${path}`,
        {
          method,
          ca: this.ca,
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolveResponse({ status: res.statusCode ?? 0, body: parseJson(text) });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async expectOk(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.send(method, path, body);
    if (response.status >= 300) throw new KubeRequestError(method, path, response);
    return response.body;
  }

  /** The collection path of an object's kind in its namespace, found through discovery. */
  async collectionPath(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const resource = (await this.discover(base)).find((r) => r.kind === obj.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`kind ${obj.kind} is not served at ${base}`);
    const namespace = obj.metadata.namespace ?? 'default';
    return resource.namespaced
      ? `${base}/namespaces/${namespace}/${resource.name}`
      : `${base}/${resource.name}`;
  }

  async create(obj: KubeObject, options: { dryRun?: boolean } = {}): Promise<unknown> {
    const path = await this.collectionPath(obj);
    return this.expectOk('POST', `${path}${options.dryRun ? '?dryRun=All' : ''}`, obj);
  }

  async read(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<RawResponse> {
    return this.send('GET', `${await this.collectionPath(obj)}/${obj.metadata.name}`);
  }

  async createNamespace(name: string): Promise<void> {
    const response = await this.send('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
    if (response.status >= 300 && response.status !== 409) {
      throw new KubeRequestError('POST', '/api/v1/namespaces', response);
    }
  }

  private async discover(base: string): Promise<ApiResource[]> {
    // A CRD's kind appears in discovery only once it is Established, so a miss is never cached.
    const cached = this.resources.get(base);
    if (cached) return cached;
    const response = await this.send('GET', base);
    if (response.status !== 200) return [];
    const resources = (response.body as { resources: ApiResource[] }).resources;
    this.resources.set(base, resources);
    return resources;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
