import { parseTenantAuthors, TENANT_AUTHORS_FILE } from '../../cdk8s/tenant-authors-file.js';
import { TENANTS_FILE, tenantsConfigMapName } from '../../cdk8s/tenants-config.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import { parseTenantsFile } from '../../crds/gravix-tenant.js';
import type { TenantSettings } from '../../crds/gravix-tenant-spec.js';
import { planTenantTombstones } from '../../workers/domain/tenant-changes.js';
import { planTenants, type TenantStatusWrite } from '../domain/tenant-plan.js';
import type { ChildPort, TenantPort } from './ports.js';

/**
 * The pipeline's tenants, with tombstones for those gone since the tenants ConfigMap was last applied (read from
 * the live ConfigMap's authors file), so query replicas audit a deletion at once (docs/adr/0097); a tenant whose
 * spec turned invalid keeps the settings that ConfigMap published for it (docs/adr/0121).
 */
export async function planPublishedTenants(
  ports: { children: ChildPort; tenants: TenantPort },
  pipeline: GravixPipeline,
  now: string,
) {
  const { namespace, name } = pipeline.metadata;
  const live = await ports.children.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: tenantsConfigMapName(pipeline), namespace },
  });
  const data = live?.data as Record<string, string> | undefined;
  // An edited-by-hand file reads as none: no tombstones and no kept settings this pass.
  const previous = readOrUndefined(data?.[TENANT_AUTHORS_FILE], parseTenantAuthors);
  const settings = readOrUndefined(data?.[TENANTS_FILE], (t): TenantSettings[] =>
    parseTenantsFile(t, TENANTS_FILE),
  );
  const before = previous && settings ? { settings, authors: previous.tenants } : undefined;
  const plan = planTenants(await ports.tenants.ofPipeline(namespace, name), before);
  return { ...plan, deleted: planTenantTombstones(previous, plan.authors, Date.parse(now)) };
}

function readOrUndefined<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  try {
    return text === undefined ? undefined : parse(text);
  } catch {
    return undefined;
  }
}

export async function writeTenantStatuses(
  tenants: TenantPort,
  writes: readonly TenantStatusWrite[],
): Promise<void> {
  for (const { tenant, status } of writes) await tenants.patchStatus(tenant, status);
}
