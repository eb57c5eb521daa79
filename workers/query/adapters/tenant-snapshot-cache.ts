import type { TenantSnapshot } from '../domain/tenant-snapshot.js';

/** Where an engine's snapshots come from: a cheap version and the (costlier) snapshot itself. */
export interface TenantSnapshotSource {
  /** Changes whenever what `load` returns may have changed (RollupManifests.version). */
  version(tenant: string): Promise<string>;
  load(tenant: string): Promise<TenantSnapshot>;
}

export interface TenantSnapshotCacheOptions {
  /** A snapshot is served this long before its version is checked again. */
  maxAgeMs?: number;
  now?: () => number;
}

interface Entry {
  checkedAt: number;
  version: string;
  snapshot: Promise<TenantSnapshot>;
}

/**
 * One snapshot per tenant, served for maxAgeMs, then kept as long as the tenant's manifests have not changed and
 * reloaded when they have. A stale snapshot only ever lacks tables or tiles written since (the store never
 * removes them except by retention, with their hours), so a plan from it reads finer rows, never missing ones.
 */
export class TenantSnapshotCache {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshing = new Map<string, Promise<TenantSnapshot>>();

  constructor(
    private readonly source: TenantSnapshotSource,
    private readonly options: TenantSnapshotCacheOptions = {},
  ) {}

  get(tenant: string): Promise<TenantSnapshot> {
    const entry = this.entries.get(tenant);
    if (entry && this.now() - entry.checkedAt <= (this.options.maxAgeMs ?? 1000)) return entry.snapshot;
    // Concurrent queries of one tenant share one check.
    let refresh = this.refreshing.get(tenant);
    if (!refresh) {
      refresh = this.refresh(tenant, entry).finally(() => this.refreshing.delete(tenant));
      this.refreshing.set(tenant, refresh);
    }
    return refresh;
  }

  private async refresh(tenant: string, entry: Entry | undefined): Promise<TenantSnapshot> {
    const checkedAt = this.now();
    const version = await this.source.version(tenant);
    if (entry && entry.version === version) {
      entry.checkedAt = checkedAt;
      return entry.snapshot;
    }
    const snapshot = this.source.load(tenant);
    this.entries.set(tenant, { checkedAt, version, snapshot });
    // A failed load is not kept: the next query tries again.
    snapshot.catch(() => this.entries.delete(tenant));
    return snapshot;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
