import type { TenantRetention } from '../../../crds/gravix-tenant-spec.js';

const dayMs = 86_400_000;

export interface RetentionMs {
  rawRetentionMs: number;
  metricsRetentionMs: number;
}

/** A tenant's retention override (its GravixTenant), where it has one. */
export type RetentionOverride = (tenant: string) => TenantRetention | undefined;

/**
 * A tenant's retention: the pipeline's, with the tenant's days where it sets them. Raw retention is clamped to
 * the metrics retention: a tenant that keeps metrics 3 days has nothing to rebuild them into after that, so its raw
 * data goes with them (the rollup config refuses the same for the pipeline's own values).
 */
export function resolveTenantRetention(
  defaults: RetentionMs,
  override: TenantRetention | undefined,
): RetentionMs {
  const metricsRetentionMs =
    override?.metricsDays === undefined ? defaults.metricsRetentionMs : override.metricsDays * dayMs;
  const raw = override?.rawDays === undefined ? defaults.rawRetentionMs : override.rawDays * dayMs;
  return { rawRetentionMs: Math.min(raw, metricsRetentionMs), metricsRetentionMs };
}
