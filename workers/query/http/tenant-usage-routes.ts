import type { NextFunction, Request, Response } from 'express';
import type { TenantSettings } from '../../../crds/gravix-tenant-spec.js';
import type { ReplicaBeat } from '../../domain/quota-replicas.js';
import { credentialOf } from '../../shared/http/authenticate.js';
import { buildTenantUsage, type StoredCounts } from '../domain/tenant-usage.js';
import { engineHttpError } from './engine-http-error.js';

export interface TenantUsageDeps {
  /** The tenants file's settings of a tenant (GRAVIX_TENANTS_FILE); undefined when it has none. */
  settingsOf: (tenant: string) => TenantSettings | undefined;
  /** Every ingest replica's last beat (identity/ingest-replicas/, docs/adr/0080). */
  loadBeats: () => Promise<ReplicaBeat[]>;
  /** Distinct services and routes of the tenant in [from, to), from the rolled-up data. */
  storedCounts: (tenant: string, from: number, to: number) => Promise<StoredCounts>;
  /** A beat older than this is a replica gone (the ingest servers' GRAVIX_QUOTA_STALE_MS). */
  staleMs: number;
  now: () => number;
}

/** GET /api/v1/tenant-usage (admin, route table): the caller's tenant only, never another's. */
export function buildTenantUsageHandlers(deps: TenantUsageDeps) {
  return {
    'GET /api/v1/tenant-usage': async (_req: Request, res: Response, next: NextFunction) => {
      try {
        const { tenant } = credentialOf(res);
        const now = deps.now();
        const dayStart = Math.floor(now / 86_400_000) * 86_400_000;
        const [beats, stored] = await Promise.all([
          deps.loadBeats(),
          deps.storedCounts(tenant, dayStart, now + 60_000),
        ]);
        res.json(buildTenantUsage(tenant, deps.settingsOf(tenant), beats, stored, now, deps.staleMs));
      } catch (error) {
        next(engineHttpError(error));
      }
    },
  };
}
