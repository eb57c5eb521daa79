import { Gauge, type Registry } from 'prom-client';
import type { RollupManifests } from '../adapters/rollup-manifests.js';

/**
 * How fresh the rollup's output is, as the query server sees it (the rollup loop exposes its own run metrics,
 * docs/adr/0062): gravix_rollup_last_success_timestamp_seconds and gravix_rollup_lag_seconds per tenant, read from
 * the manifests at scrape time. Both gauges are collected in one scrape and share one read of the manifests
 * (RollupManifests.freshnessPerTenant).
 */
export function registerRollupFreshnessMetrics(
  registry: Registry,
  manifests: RollupManifests,
  now: () => number = Date.now,
): void {
  new Gauge({
    name: 'gravix_rollup_last_success_timestamp_seconds',
    help: "When the tenant's newest published hour was committed (manifest committed_at, the commit's wall clock).",
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, { lastCommitAt }] of await manifests.freshnessPerTenant())
        this.set({ tenant }, lastCommitAt / 1000);
    },
  });
  new Gauge({
    name: 'gravix_rollup_lag_seconds',
    help: "Seconds since the tenant's newest published hour was committed.",
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, { lastCommitAt }] of await manifests.freshnessPerTenant())
        this.set({ tenant }, Math.max(0, (now() - lastCommitAt) / 1000));
    },
  });
}
