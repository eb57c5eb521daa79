import type { TenantQuotas, TenantSettings } from '../../../crds/gravix-tenant-spec.js';
import { bytesUsedToday, liveReplicas, utcDay, type ReplicaBeat } from '../../domain/quota-replicas.js';

/** GET /api/v1/tenant-usage: a tenant's usage against its quotas, for its admins (docs/security.md). */
export interface TenantUsageResponse {
  tenant: string;
  displayName: string | null;
  /** The tenant's quotas; an absent quota is not limited beyond the ingest servers' own limits. */
  quotas: TenantQuotas;
  usage: {
    /** Facts and events accepted per second across live ingest replicas, over their last beat interval. */
    eventsPerSecond: number;
    /** The UTC day bytesToday counts. */
    day: string;
    /** Request body bytes accepted today across every ingest replica. */
    bytesToday: number;
    /** Ingest replicas sharing the rate quota now. */
    ingestReplicas: number;
    /** Distinct services with requests today, from the rolled-up data (the overflow service included). */
    services: number;
    /** Distinct routes with requests today, across services. */
    routes: number;
    /** Services that reached their route budget today (routes folded into `/:overflow`). */
    servicesAtRouteQuota: number;
  };
}

export interface StoredCounts {
  services: number;
  routes: number;
  servicesWithOverflowRoutes: number;
}

/** Pure: the usage answer from the tenant's settings, the ingest replicas' beats and today's stored counts. */
export function buildTenantUsage(
  tenant: string,
  settings: TenantSettings | undefined,
  beats: readonly ReplicaBeat[],
  stored: StoredCounts,
  now: number,
  staleMs: number,
): TenantUsageResponse {
  // No replica asks here: '' is no replica's id, so only the beats count.
  const live = new Set(liveReplicas(beats, '', now, staleMs).filter((r) => r !== ''));
  const eventsPerSecond = beats
    .filter((b) => live.has(b.replica))
    .reduce((sum, b) => sum + (b.tenants[tenant]?.rate ?? 0), 0);
  const day = utcDay(now);
  return {
    tenant,
    displayName: settings?.displayName ?? null,
    quotas: settings?.quotas ?? {},
    usage: {
      eventsPerSecond: Math.round(eventsPerSecond * 100) / 100,
      day,
      bytesToday: bytesUsedToday(beats, '', tenant, day, 0),
      ingestReplicas: live.size,
      services: stored.services,
      routes: stored.routes,
      servicesAtRouteQuota: stored.servicesWithOverflowRoutes,
    },
  };
}
