import { Gauge, type Registry } from 'prom-client';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { parseRollupManifest } from '../../rollup/domain/rollup-manifest.js';
import {
  buildTenantManifestsPrefix,
  manifestsPrefix,
  parseManifestKey,
} from '../../domain/metrics-layout.js';

export interface RollupFreshness {
  /** When the tenant's newest published hour generation was committed (wall clock, ms). */
  lastCommitAt: number;
  /** The newest fact time that generation counts (ms); null for manifests written before it was recorded. */
  newestEventAt: number | null;
}

/** Enough to step past the newest hour while it is being republished, without reading a tenant's whole history. */
const maxManifestReads = 6;

/**
 * Manifest keys sort by hour within a tenant: read from the newest back to the first published one. An
 * unpublished newest manifest is a commit whose files are still being written (or need a republish); readers
 * see the older generation's files then, so its times would overstate what they see.
 */
async function loadNewestPublished(
  store: ObjectStore,
  keys: readonly string[],
): Promise<RollupFreshness | undefined> {
  for (let i = keys.length - 1; i >= 0 && i >= keys.length - maxManifestReads; i--) {
    const key = keys[i]!;
    const object = await store.get(key);
    if (!object) continue;
    const manifest = parseRollupManifest(object.body, key);
    if (!manifest.published) continue;
    return {
      lastCommitAt: Date.parse(manifest.committed_at),
      newestEventAt: manifest.stats.newest_event_ms ?? null,
    };
  }
  return undefined;
}

/** One tenant's freshness (GET /api/v1/freshness). */
export async function loadRollupFreshness(
  store: ObjectStore,
  tenant: string,
): Promise<RollupFreshness | undefined> {
  const listed = await store.list(buildTenantManifestsPrefix(tenant));
  return loadNewestPublished(
    store,
    listed.map((o) => o.key).filter((key) => parseManifestKey(key)),
  );
}

/** Every tenant's freshness from one listing (the /metrics gauges). */
export async function loadRollupFreshnessPerTenant(
  store: ObjectStore,
): Promise<Map<string, RollupFreshness>> {
  const keysByTenant = new Map<string, string[]>();
  for (const { key } of await store.list(manifestsPrefix)) {
    const partition = parseManifestKey(key);
    if (partition) keysByTenant.set(partition.tenant, [...(keysByTenant.get(partition.tenant) ?? []), key]);
  }
  const result = new Map<string, RollupFreshness>();
  for (const [tenant, keys] of keysByTenant) {
    const freshness = await loadNewestPublished(store, keys);
    if (freshness) result.set(tenant, freshness);
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
  let cached: { at: number; value: Promise<Map<string, RollupFreshness>> } | undefined;
  const load = () => {
    if (!cached || now() - cached.at > 1000)
      cached = { at: now(), value: loadRollupFreshnessPerTenant(store) };
    return cached.value;
  };
  new Gauge({
    name: 'gravix_rollup_last_success_timestamp_seconds',
    help: "When the tenant's newest published hour was committed (manifest committed_at, the commit's wall clock).",
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, { lastCommitAt }] of await load()) this.set({ tenant }, lastCommitAt / 1000);
    },
  });
  new Gauge({
    name: 'gravix_rollup_lag_seconds',
    help: "Seconds since the tenant's newest published hour was committed.",
    labelNames: ['tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, { lastCommitAt }] of await load())
        this.set({ tenant }, Math.max(0, (now() - lastCommitAt) / 1000));
    },
  });
}
