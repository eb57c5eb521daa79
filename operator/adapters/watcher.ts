import type { Logger } from 'pino';
import { backoffDelayMs } from '../domain/backoff.js';
import type { KubeClient, KubeObject } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatcherOptions {
  client: KubeClient;
  /** Collection path, e.g. /apis/apps/v1/deployments or a namespaced one. */
  path: string;
  labelSelector?: string;
  onEvent(type: WatchEventType, object: KubeObject): void;
  /** Called with every complete list, before its items are replayed as ADDED (an informer store replaces). */
  onList?(items: KubeObject[]): void;
  /** Called after every successful list, i.e. when the watcher's view is complete. */
  onSynced?(): void;
  onRestart?(error: unknown): void;
  logger: Logger;
  timeoutSeconds?: number;
}

interface WatchLine {
  type: WatchEventType | 'ERROR' | 'BOOKMARK';
  object: KubeObject & { code?: number };
}

/**
 * List + watch that never gives up: any error (410 Gone, a dropped stream, an apiserver restart) relists and
 * rewatches with backoff. client-node's informers stop on errors other than 410/timeouts, hence this loop.
 */
export class Watcher {
  private readonly abort = new AbortController();
  private done: Promise<void> | undefined;

  constructor(private readonly options: WatcherOptions) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const resourceVersion = await this.list();
        failures = 0;
        await this.watch(resourceVersion);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        failures++;
        this.options.onRestart?.(error);
        // 404: an optional kind (Prometheus operator CRDs) is not installed; keep polling quietly.
        const level = error instanceof KubeApiError && error.status === 404 ? 'debug' : 'warn';
        this.options.logger[level]({ err: error, path: this.options.path, failures }, 'watch restarting');
        // Capped low: after an apiserver outage every watch must be back within seconds, not minutes.
        await sleep(backoffDelayMs(failures, 250, 5_000), this.abort.signal);
      }
    }
  }

  private async list(): Promise<string> {
    const { client, path, labelSelector } = this.options;
    const list = await client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>({
      method: 'GET',
      path,
      query: { labelSelector },
      signal: this.abort.signal,
    });
    this.options.onList?.(list.items);
    for (const item of list.items) this.options.onEvent('ADDED', item);
    this.options.onSynced?.();
    return list.metadata.resourceVersion;
  }

  private async watch(resourceVersion: string): Promise<void> {
    const { client, path, labelSelector, timeoutSeconds = 300 } = this.options;
    const query = {
      watch: '1',
      resourceVersion,
      labelSelector,
      timeoutSeconds: String(timeoutSeconds),
      allowWatchBookmarks: 'true',
    };
    const stream = await client.stream({ method: 'GET', path, query, signal: this.abort.signal });
    let buffered = '';
    for await (const chunk of stream) {
      buffered += (chunk as Buffer).toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        this.handle(JSON.parse(buffered.slice(0, newline)) as WatchLine);
        buffered = buffered.slice(newline + 1);
      }
    }
    // A clean end is the server-side timeout; the loop relists, which also covers missed events.
  }

  private handle(line: WatchLine): void {
    if (line.type === 'BOOKMARK') return;
    if (line.type === 'ERROR') {
      throw new KubeApiError(
        'WATCH',
        this.options.path,
        line.object.code ?? 0,
        'WatchError',
        String(line.object.message ?? ''),
      );
    }
    this.options.onEvent(line.type, line.object);
  }
}

/**
 * Waits `ms`, or less when `signal` aborts. The abort listener is removed when the timer fires: the election and
 * watch loops sleep on one long-lived signal, and a listener left behind per sleep grew without bound (Node's
 * MaxListenersExceededWarning after 11 sleeps).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
