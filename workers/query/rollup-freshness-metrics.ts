import { Gauge, type Registry } from 'prom-client';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { parseManifestKey, parseRollupManifest } from '../rollup/domain/rollup-manifest.js';

/** Newest commit time per tenant, read from the partition manifests (keys sort by time within a tenant). */
export async function loadLastRollupPerTenant(store: ObjectStore): Promise<Map<string, number>> {
  const newestKey = new Map<string, string>();
  for (const { key } of await store.list('metrics/_manifests/')) {
    const partition = parseManifestKey(key);
    if (partition) newestKey.set(partition.tenant, key);
  }
  const result = new Map<string, number>();
  for (const [tenant, key] of newestKey) {
    const object = await store.get(key);
    if (object) result.set(tenant, Date.parse(parseRollupManifest(object.body, key).committed_at));
  }
  return result;
}

/**
 * How fresh the rollup's output is, as the query server sees it (the rollup loop exposes its own run metrics,
 * docs/adr/0062): gravix_rollup_last_success_timestamp_seconds and gravix_rollup_lag_seconds per tenant, read from
 * the manifests at scrape time.
 */
export function registerRollupFreshnessMetrics(
  registry: Registry,
  store: ObjectStore,
  now: () => number = Date.now,
): void {
  // Both gauges are collected in one scrape; share one read of the manifests between them.
  let cached: { at: number; value: Promise<Map<string, number>> } | undefined;
  const load = () => {
    if (!cached || now() - cached.at > 1000) cached = { at: now(), value: loadLastRollupPerTenant(store) };
    return cached.value;
  };
  new Gauge({
    name: 'gravix_rollup_last_success_timestamp_seconds',
    help: 'When the newest rollup partition commit happened, per tenant (from the manifests).',
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, at] of await load()) this.set({ tenant }, at / 1000);
    },
  });
  new Gauge({
    name: 'gravix_rollup_lag_seconds',
    help: 'Seconds since the newest rollup partition commit, per tenant.',
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, at] of await load()) this.set({ tenant }, Math.max(0, (now() - at) / 1000));
    },
  });
}
