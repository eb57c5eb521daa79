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
  /** e.g. `metadata.name=<name>`: one object, which RBAC may grant by resourceNames. */
  fieldSelector?: string;
  onEvent(type: WatchEventType, object: KubeObject): void;
  /** Called with every complete list, before its items are replayed as ADDED (an informer store replaces). */
  onList?(items: KubeObject[]): void;
  /** Called after every successful list, i.e. when the watcher's view is complete. */
  onSynced?(): void;
  onRestart?(error: unknown): void;
  logger: Logger;
  timeoutSeconds?: number;
  /**
   * How long to wait before asking again for a kind the apiserver does not serve (404: the Prometheus operator's
   * CRDs are not installed), doubled after each refusal up to `notServedMaxRetryMs`. The 5 s error backoff polled
   * two such kinds 24 times a minute in bench/operator; a fixed minute still cost 2 GETs a minute forever.
   */
  notServedRetryMs?: number;
  notServedMaxRetryMs?: number;
  /** Called after each 404 on the list: the kind is not served (an optional kind's CRD is absent). */
  onNotServed?(): void;
  /**
   * Answers retried at the not-served pace instead of within seconds (default: 404 only). A watch RBAC may not
   * grant (403: the CRD watch of a namespaced install) passes 403 too, so a refusal costs one request per 10 min.
   */
  slowRetryStatuses?: readonly number[];
  /** How long after retryNow a refusal is retried at the error pace (ESTABLISHED_GRACE_MS; tests shorten it). */
  establishedGraceMs?: number;
}

/** The first wait after a 404 on an optional kind; it doubles while the kind stays unserved. */
export const NOT_SERVED_RETRY_MS = 60_000;
/** At most this long between asks: a Prometheus operator installed later is watched within 10 minutes. */
export const NOT_SERVED_MAX_RETRY_MS = 600_000;
/**
 * After retryNow (the kind's CRD is established) a 404 is retried at the error pace for this long: the apiserver
 * serves a new CRD's kind only once its own informer has seen the CRD established, a moment after the watch event
 * that woke the list, and a 404 in that moment must not send the kind back to its 10-minute backoff (docs/adr/0114).
 */
export const ESTABLISHED_GRACE_MS = 30_000;

interface WatchLine {
  type: WatchEventType | 'ERROR' | 'BOOKMARK';
  object: KubeObject & { code?: number };
}

/**
 * List + watch that never gives up: any error (410 Gone, a dropped stream, an apiserver restart) relists and
 * rewatches with backoff. client-node's informers stop on errors other than 410/timeouts, hence this loop.
 * A watch the server ends cleanly (its timeoutSeconds) is resumed from the last resourceVersion seen (an event's
 * or a bookmark's), as client-go's reflector does: relisting every kind every 5 minutes was most of the operator's
 * steady-state GETs, each a LIST of every object of that kind.
 */
export class Watcher {
  private readonly abort = new AbortController();
  private wake = new AbortController();
  /** retryNow calls so far: one during a list that then fails must not be lost to the sleep after it. */
  private wakes = 0;
  /** Until then a 404 is the apiserver catching up with an established CRD, retried within seconds. */
  private servedExpectedUntil = 0;
  private done: Promise<void> | undefined;

  constructor(private readonly options: WatcherOptions) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /**
   * Ends a wait before the next list now (a no-op while watching): the kind's CRD was just established, so the
   * list that was backed off for up to 10 minutes is asked at once (docs/adr/0105).
   */
  retryNow(): void {
    this.wakes++;
    this.servedExpectedUntil = Date.now() + (this.options.establishedGraceMs ?? ESTABLISHED_GRACE_MS);
    this.wake.abort();
    this.wake = new AbortController();
  }

  private async loop(): Promise<void> {
    const refusals = { failures: 0, notServed: 0 };
    let resourceVersion: string | undefined;
    while (!this.abort.signal.aborted) {
      const wakes = this.wakes;
      try {
        resourceVersion ??= await this.list();
        refusals.failures = 0;
        refusals.notServed = 0;
        resourceVersion = await this.watch(resourceVersion);
      } catch (error) {
        resourceVersion = undefined;
        if (this.abort.signal.aborted) return;
        const delay = this.retryDelayMs(error, refusals);
        if (this.wakes !== wakes) continue;
        await sleep(delay, AbortSignal.any([this.abort.signal, this.wake.signal]));
      }
    }
  }

  /**
   * What an error says of the kind: `unserved` (404, or another slow-retry status: ask again later and later,
   * quietly), `expected` (the same answer during the grace after retryNow: the apiserver is catching up with an
   * established CRD) or an ordinary `failure`.
   */
  private classify(error: unknown): 'failure' | 'expected' | 'unserved' {
    const slow = this.options.slowRetryStatuses ?? [404];
    if (!(error instanceof KubeApiError) || !slow.includes(error.status)) return 'failure';
    return Date.now() < this.servedExpectedUntil ? 'expected' : 'unserved';
  }

  /** Counts the error and reports it; the wait before the next list. */
  private retryDelayMs(error: unknown, refusals: { failures: number; notServed: number }): number {
    const kind = this.classify(error);
    // In the grace: retry within seconds, and should it end without the kind, start the slow pace again from its
    // first step (the CRD changed since the last refusal).
    if (kind === 'expected') refusals.notServed = 0;
    if (kind === 'unserved') {
      refusals.notServed++;
      refusals.failures = 0;
    } else refusals.failures++;
    this.options.onRestart?.(error);
    if (kind !== 'failure') this.options.onNotServed?.();
    this.options.logger[kind === 'failure' ? 'warn' : 'debug'](
      { err: error, path: this.options.path, ...refusals },
      'watch restarting',
    );
    if (kind !== 'unserved') return backoffDelayMs(refusals.failures, 250, 5_000); // capped low: back within seconds
    return backoffDelayMs(
      refusals.notServed,
      this.options.notServedRetryMs ?? NOT_SERVED_RETRY_MS,
      this.options.notServedMaxRetryMs ?? NOT_SERVED_MAX_RETRY_MS,
    );
  }

  private async list(): Promise<string> {
    const { client, path, labelSelector, fieldSelector } = this.options;
    const list = await client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>({
      method: 'GET',
      path,
      query: { labelSelector, fieldSelector },
      signal: this.abort.signal,
    });
    this.options.onList?.(list.items);
    for (const item of list.items) this.options.onEvent('ADDED', item);
    this.options.onSynced?.();
    return list.metadata.resourceVersion;
  }

  /** Watches from `resourceVersion` until the server ends the stream; returns the last resourceVersion seen. */
  private async watch(resourceVersion: string): Promise<string> {
    const { client, path, labelSelector, fieldSelector, timeoutSeconds = 300 } = this.options;
    const query = {
      watch: '1',
      resourceVersion,
      labelSelector,
      fieldSelector,
      timeoutSeconds: String(timeoutSeconds),
      allowWatchBookmarks: 'true',
    };
    const stream = await client.stream({ method: 'GET', path, query, signal: this.abort.signal });
    let buffered = '';
    let last = resourceVersion;
    for await (const chunk of stream) {
      buffered += (chunk as Buffer).toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        last = this.handle(JSON.parse(buffered.slice(0, newline)) as WatchLine) ?? last;
        buffered = buffered.slice(newline + 1);
      }
    }
    // A clean end is the server-side timeout: resume from here. A resourceVersion too old by then is answered
    // with 410 Gone (an ERROR line or status), which relists.
    return last;
  }

  /** Applies one watch line; returns its resourceVersion (events and bookmarks carry one). */
  private handle(line: WatchLine): string | undefined {
    const version = line.object.metadata?.resourceVersion;
    if (line.type === 'BOOKMARK') return version;
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
    return version;
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
