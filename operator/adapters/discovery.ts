import type { KubeClient } from './kube-client.js';
import { isNotFound } from './kube-errors.js';

/**
 * Whether the Prometheus operator CRDs are served. Cached briefly: it is asked on every reconcile pass,
 * and installing the Prometheus operator later is picked up within `ttlMs`.
 */
export class PrometheusOperatorDiscovery {
  private cached: { value: boolean; at: number } | undefined;
  private asking: Promise<boolean> | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * One request per expiry however many passes ask at once: concurrent passes (GRAVIX_OPERATOR_CONCURRENCY) used to
   * each send their own GET when the cache expired, 4 a minute in bench/operator instead of 1.
   */
  async present(): Promise<boolean> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.value;
    this.asking ??= this.ask().finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async ask(): Promise<boolean> {
    const value = await this.client
      .request<{ resources?: { name: string }[] }>({ method: 'GET', path: '/apis/monitoring.coreos.com/v1' })
      .then(
        (list) => (list.resources ?? []).some((r) => r.name === 'servicemonitors'),
        (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)),
      );
    this.cached = { value, at: Date.now() };
    return value;
  }
}
