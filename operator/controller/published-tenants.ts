import { parseTenantAuthors, TENANT_AUTHORS_FILE, tenantsConfigMapName } from '../../cdk8s/tenants-config.js';
import type { GravixPipeline } from '../../crds/gravix-pipeline.js';
import { planTenantTombstones, type TenantAuthorsFile } from '../../workers/domain/tenant-changes.js';
import { planTenants, type TenantStatusWrite } from '../domain/tenant-plan.js';
import type { ChildPort, TenantPort } from './ports.js';

/**
 * The pipeline's tenants, with tombstones for those gone since the tenants ConfigMap was last applied (read from
 * the live ConfigMap's authors file), so query replicas audit a deletion at once (docs/adr/0097).
 */
export async function planPublishedTenants(
  ports: { children: ChildPort; tenants: TenantPort },
  pipeline: GravixPipeline,
  now: string,
) {
  const { namespace, name } = pipeline.metadata;
  const plan = planTenants(await ports.tenants.ofPipeline(namespace, name));
  const live = await ports.children.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: tenantsConfigMapName(pipeline), namespace },
  });
  const text = (live?.data as Record<string, string> | undefined)?.[TENANT_AUTHORS_FILE];
  let previous: TenantAuthorsFile | undefined;
  try {
    previous = text === undefined ? undefined : parseTenantAuthors(text);
  } catch {
    previous = undefined; // an edited-by-hand file: no tombstones this pass, the workers' fallback applies
  }
  return { ...plan, deleted: planTenantTombstones(previous, plan.authors, Date.parse(now)) };
}

export async function writeTenantStatuses(
  tenants: TenantPort,
  writes: readonly TenantStatusWrite[],
): Promise<void> {
  for (const { tenant, status } of writes) await tenants.patchStatus(tenant, status);
}
