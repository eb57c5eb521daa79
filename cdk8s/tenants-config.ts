import { Construct } from 'constructs';
import { parse, stringify } from 'yaml';
import { KubeConfigMap } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { renderTenantsFile } from '../crds/gravix-tenant.js';
import type { TenantSettings } from '../crds/gravix-tenant-spec.js';
import { childMetadata, childName } from './naming.js';
import {
  tenantAuthorsFileSchema,
  type TenantAuthor,
  type TenantAuthorsFile,
  type TenantTombstone,
} from '../workers/domain/tenant-changes.js';

/**
 * The pipeline's tenants as the workers read them (GRAVIX_TENANTS_FILE, workers/adapters/tenants/live-tenants.ts):
 * rendered by the operator from the GravixTenant objects that name the pipeline. A ConfigMap volume, not env and
 * not part of any config hash: the kubelet replaces the mounted file in place when the ConfigMap changes and the
 * workers re-read it, so a quota change reaches running pods without a restart (docs/adr/0086).
 */
export const TENANTS_DIR = '/etc/gravix/tenants';
export const TENANTS_FILE = 'tenants.yaml';
/** Who last changed each listed tenant (its uid, generation and field manager), for the audit log. */
export const TENANT_AUTHORS_FILE = 'tenant-authors.yaml';
export const TENANTS_VOLUME = 'tenants';

/** The tenants a pass publishes; `gravix synth` publishes the GravixTenant objects of its file (cdk8s/synth-tenants.ts). */
export interface PublishedTenants {
  settings: readonly TenantSettings[];
  authors: Readonly<Record<string, TenantAuthor>>;
  /** uid -> GravixTenants deleted lately (workers/domain/tenant-changes.ts planTenantTombstones). */
  deleted?: Readonly<Record<string, TenantTombstone>>;
}

export const tenantsConfigMapName = (pipeline: GravixPipeline) => childName(pipeline, 'tenants');

/** The authors file; entries in key order, so equal inputs are equal text (no apply when nothing changed). */
export function renderTenantAuthors(
  authors: Readonly<Record<string, TenantAuthor>>,
  deleted: Readonly<Record<string, TenantTombstone>> = {},
): string {
  const sorted = <T>(record: Readonly<Record<string, T>>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return stringify({
    tenants: sorted(authors),
    ...(Object.keys(deleted).length > 0 ? { deleted: sorted(deleted) } : {}),
  });
}

/** The authors file's text read back (the query replicas' audit, the operator's next tombstones); throws when bad. */
export function parseTenantAuthors(text: string): TenantAuthorsFile {
  return tenantAuthorsFileSchema.parse(parse(text) ?? {});
}

export class TenantsConfig extends Construct {
  constructor(scope: Construct, id: string, props: { pipeline: GravixPipeline; tenants: PublishedTenants }) {
    super(scope, id);
    const { pipeline, tenants } = props;
    new KubeConfigMap(this, 'config-map', {
      metadata: childMetadata(pipeline, 'config', tenantsConfigMapName(pipeline)),
      data: {
        [TENANTS_FILE]: renderTenantsFile(tenants.settings),
        [TENANT_AUTHORS_FILE]: renderTenantAuthors(tenants.authors, tenants.deleted),
      },
    });
  }
}
