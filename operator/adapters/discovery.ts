import type { KubeClient } from './kube-client.js';
import { isNotFound } from './kube-errors.js';

/** The Prometheus operator kind whose presence stands for all of them (the ServiceMonitor watch reports it). */
export const PROMETHEUS_OPERATOR_PROBE_PLURAL = 'servicemonitors';

/**
 * Whether the Prometheus operator CRDs are served. Once the controller's ServiceMonitor watch has answered
 * (listed, or refused with 404), its answer is the truth and no request is sent: a GET of the group every minute
 * was the last steady-state poll in bench/operator. Until then (or with no controller), asked with a GET cached
 * for `ttlMs`, since it is asked on every reconcile pass.
 */
export class PrometheusOperatorDiscovery {
  private cached: { value: boolean; at: number } | undefined;
  private observed: boolean | undefined;
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
    if (this.observed !== undefined) return this.observed;
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.value;
    this.asking ??= this.ask().finally(() => (this.asking = undefined));
    return this.asking;
  }

  /**
   * What the ServiceMonitor watch learned (listed: served; 404: not). True when that changes what passes knew, so
   * the caller can visit every pipeline at once instead of at the next resync.
   */
  observe(served: boolean): boolean {
    const known = this.observed ?? this.cached?.value;
    this.observed = served;
    return known !== undefined && known !== served;
  }

  private async ask(): Promise<boolean> {
    const value = await this.client
      .request<{ resources?: { name: string }[] }>({ method: 'GET', path: '/apis/monitoring.coreos.com/v1' })
      .then(
        (list) => (list.resources ?? []).some((r) => r.name === PROMETHEUS_OPERATOR_PROBE_PLURAL),
        (error: unknown) => (isNotFound(error) ? false : Promise.reject(error)),
      );
    this.cached = { value, at: Date.now() };
    return value;
  }
}
