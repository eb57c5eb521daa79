import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConnection } from './kube-connection.js';
import { KubeApiError, KubeUnreachableError } from './kube-errors.js';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** Defaults to JSON; e.g. the Table format kubectl uses for printer columns. */
  accept?: string;
  signal?: AbortSignal;
  /** request() only: the whole exchange, body included, must finish within this (default 30 s). */
  timeoutMs?: number;
}

/** Query value for `fieldValidation` on every write the operator makes: unknown fields are errors. */
export const STRICT = 'Strict';

/** A hung apiserver connection must not stall a reconcile worker forever; watches (stream()) have no deadline. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string };
};

export interface KubeClientOptions {
  /** Called before every write (non-GET) request; throwing refuses it (the leader-election fence). */
  beforeWrite?(): void;
  /** Called for every request sent: GET, WATCH (a GET with watch set), POST, PUT, PATCH or DELETE, and its path. */
  onRequest?(verb: string, path: string): void;
}

/**
 * A deliberately small apiserver client: the bytes sent are exactly the manifest (client-node's typed models
 * drop keys they do not know, see docs/adr/0002), and errors keep the HTTP status for retry decisions.
 */
export class KubeClient {
  private readonly server: URL;
  private readonly agent: Agent;

  constructor(
    private readonly connection: KubeConnection,
    private readonly options: KubeClientOptions = {},
  ) {
    this.server = new URL(connection.server);
    const { ca, cert, key } = connection;
    this.agent = new Agent({ ca, cert, key, keepAlive: true, maxSockets: 32 });
  }

  /** Releases pooled sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query: KubeRequest['query']): URL {
    const url = new URL(path, this.server);
    for (const [key, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    return url;
  }

  /** The write fence first (a refused write is never sent), then the request counter. */
  private admit(req: KubeRequest): void {
    if (req.method !== 'GET') this.options.beforeWrite?.();
    this.options.onRequest?.(req.method === 'GET' && req.query?.['watch'] ? 'WATCH' : req.method, req.path);
  }

  /** Sends a request and returns the response stream (for watches); rejects on non-2xx with KubeApiError. */
  async stream(req: KubeRequest): Promise<IncomingMessage> {
    this.admit(req);
    const url = this.url(req.path, req.query);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const token = this.connection.token?.();
    const headers = {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      accept: req.accept ?? 'application/json',
      ...(payload === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
    };
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = request(url, { agent: this.agent, method: req.method, headers, signal: req.signal }, resolve);
      r.on('error', (error) =>
        reject(new KubeUnreachableError(`${req.method} ${req.path}: ${error.message}`, { cause: error })),
      );
      r.end(payload);
    });
    if ((res.statusCode ?? 0) >= 300) throw await toApiError(req, res);
    return res;
  }

  async request<T = KubeObject>(req: KubeRequest): Promise<T> {
    const timeoutMs = req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    try {
      const res = await this.stream({ ...req, signal });
      const text = await readBody(res);
      return (text ? JSON.parse(text) : {}) as T;
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw new KubeUnreachableError(`${req.method} ${req.path}: no answer within ${timeoutMs} ms`, {
        cause: error,
      });
    }
  }

  /**
   * Server-side apply: PATCH with the apply content type under `fieldManager`, forcing ownership of conflicts.
   * Field validation is Strict: a field the apiserver does not know fails the apply instead of being dropped with
   * a warning nobody reads (the apiserver's default for clients other than kubectl).
   */
  apply(path: string, manifest: unknown, fieldManager: string, dryRun = false): Promise<KubeObject> {
    return this.request({
      method: 'PATCH',
      path,
      query: { fieldManager, force: 'true', fieldValidation: STRICT, dryRun: dryRun ? 'All' : undefined },
      body: manifest,
      // JSON is YAML, so the apply-patch+yaml content type accepts the exact JSON bytes.
      contentType: 'application/apply-patch+yaml',
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function toApiError(req: KubeRequest, res: IncomingMessage): Promise<KubeApiError> {
  const text = await readBody(res).catch(() => '');
  let reason = res.statusMessage ?? '';
  let detail = text;
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    reason = status.reason ?? reason;
    detail = status.message ?? text;
  } catch {
    // Not a Status object (e.g. a proxy error page); keep the raw text.
  }
  return new KubeApiError(req.method, req.path, res.statusCode ?? 0, reason, detail);
}
