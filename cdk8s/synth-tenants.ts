import { InvalidTenantError, parseTenantObject } from '../crds/gravix-tenant.js';
import { TENANT_KIND } from '../crds/gravix-tenant-crd.js';
import type { TenantSettings } from '../crds/gravix-tenant-spec.js';
import type { GravixPipeline } from '../crds/gravix-pipeline.js';
import type { PublishedTenants } from './tenants-config.js';

/** A GravixTenant in a synth file that cannot be published: the file's fault, so synth fails naming it. */
export class SynthTenantError extends Error {
  readonly code = 'SYNTH_TENANT';
}

export interface FileTenant {
  settings: TenantSettings;
  namespace: string;
  pipeline: string;
}

export const isTenantDocument = (value: unknown): boolean =>
  (value as { kind?: unknown } | null)?.kind === TENANT_KIND;

/**
 * The GravixTenant objects of `gravix synth`'s file, parsed as the operator parses them (crds/gravix-tenant.ts):
 * an invalid one or a tenant id twice in a namespace is an error naming it, since the operator would leave it out
 * (Rejected) and the GitOps user would not know.
 */
export function parseFileTenants(values: readonly unknown[]): FileTenant[] {
  const tenants = values.map((value, i) => {
    try {
      const { settings, spec, namespace } = parseTenantObject(value);
      return { settings, namespace, pipeline: spec.pipelineRef.name };
    } catch (error) {
      if (!(error instanceof InvalidTenantError)) throw error;
      const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
      throw new SynthTenantError(`GravixTenant ${String(name ?? `#${i + 1}`)}: ${error.message}`, {
        cause: error,
      });
    }
  });
  const seen = new Set<string>();
  for (const t of tenants) {
    const id = `${t.namespace}/${t.settings.tenant}`;
    if (seen.has(id)) throw new SynthTenantError(`GravixTenant ${id} appears twice in the file`);
    seen.add(id);
  }
  return tenants;
}

/**
 * What the operator would render into the pipeline's tenants ConfigMap from these objects (the tenants naming it
 * in its namespace). No authors: synth knows no uid or field manager, so tenant changes are audited as `unknown`,
 * as the embedded mode's file is.
 */
export function publishedTenants(tenants: readonly FileTenant[], pipeline: GravixPipeline): PublishedTenants {
  const settings = tenants
    .filter((t) => t.pipeline === pipeline.metadata.name && t.namespace === pipeline.metadata.namespace)
    .map((t) => t.settings);
  return { settings, authors: {} };
}

/** Tenants naming no pipeline of the file: `namespace/tenant -> pipeline`, for a warning. */
export function orphanedTenants(
  tenants: readonly FileTenant[],
  pipelines: readonly GravixPipeline[],
): string[] {
  const known = new Set(pipelines.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
  return tenants
    .filter((t) => !known.has(`${t.namespace}/${t.pipeline}`))
    .map((t) => `${t.namespace}/${t.settings.tenant} -> GravixPipeline ${t.pipeline}`);
}
