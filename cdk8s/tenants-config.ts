import { Construct } from 'constructs';
import { KubeConfigMap } from './k8s-imports.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import { renderTenantsFile } from '../crds/gravix-tenant.js';
import type { TenantSettings } from '../crds/gravix-tenant-spec.js';
import { childMetadata, childName } from './naming.js';
import { renderTenantAuthors, TENANT_AUTHORS_FILE } from './tenant-authors-file.js';
import type { TenantAuthor, TenantTombstone } from '../workers/domain/tenant-changes.js';

/**
 * The pipeline's tenants as the workers read them (GRAVIX_TENANTS_FILE, workers/adapters/tenants/live-tenants.ts):
 * rendered by the operator from the GravixTenant objects that name the pipeline. A ConfigMap volume, not env and
 * not part of any config hash: the kubelet replaces the mounted file in place when the ConfigMap changes and the
 * workers re-read it, so a quota change reaches running pods without a restart (docs/adr/0086).
 */
export const TENANTS_DIR = '/etc/gravix/tenants';
export const TENANTS_FILE = 'tenants.yaml';
export const TENANTS_VOLUME = 'tenants';

/** The tenants a pass publishes; `gravix synth` publishes the GravixTenant objects of its file (cdk8s/synth-tenants.ts). */
export interface PublishedTenants {
  settings: readonly TenantSettings[];
  authors: Readonly<Record<string, TenantAuthor>>;
  /** uid -> GravixTenants deleted lately (workers/domain/tenant-changes.ts planTenantTombstones). */
  deleted?: Readonly<Record<string, TenantTombstone>>;
}

export const tenantsConfigMapName = (pipeline: GravixPipeline) => childName(pipeline, 'tenants');

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
