import { parseTenantObject, InvalidTenantError } from '../../crds/gravix-tenant.js';
import type { TenantSettings, TenantStatus } from '../../crds/gravix-tenant-spec.js';
import { UNKNOWN_ACTOR, type TenantAuthor } from '../../workers/domain/tenant-changes.js';

/** A GravixTenant as the watch delivers it: only what a plan reads. */
export interface TenantObject {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    managedFields?: ManagedFieldsEntry[];
  };
  spec?: unknown;
  status?: TenantStatus;
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  fieldsV1?: Record<string, unknown>;
}

/**
 * Who last changed a tenant, as far as the apiserver tells: the newest managedFields entry that owns spec fields
 * (status writes, ours, excluded). managedFields name the field manager (kubectl, helm, argocd...), not the user
 * account; that is the most a controller can know without an audit webhook, and the audit log says so.
 */

export function tenantActor(fields: readonly ManagedFieldsEntry[] | undefined): string {
  const spec = (fields ?? []).filter(
    (f) => f.subresource === undefined && f.fieldsV1?.['f:spec'] !== undefined,
  );
  const newest = spec.reduce<ManagedFieldsEntry | undefined>(
    (best, f) => (best === undefined || (f.time ?? '') >= (best.time ?? '') ? f : best),
    undefined,
  );
  return newest?.manager ? `manager:${newest.manager}` : UNKNOWN_ACTOR;
}

export interface TenantStatusWrite {
  tenant: TenantObject;
  status: TenantStatus;
}

export interface TenantPlan {
  /** What the pipeline's tenants file lists, in tenant order. */
  settings: TenantSettings[];
  /** Who changed each listed tenant, for the audit log (workers/adapters/tenants/tenant-audit.ts). */
  authors: Record<string, TenantAuthor>;
  /** Statuses that differ from what each object says now (a steady tenant costs no write). */
  statusWrites: TenantStatusWrite[];
}

const byName = (a: TenantObject, b: TenantObject) => (a.metadata.name < b.metadata.name ? -1 : 1);

/** What the pipeline's tenants ConfigMap published last: a tenant's last valid settings and who made them. */
export interface PublishedBefore {
  settings: readonly TenantSettings[];
  authors: Readonly<Record<string, TenantAuthor>>;
}

/**
 * The settings an object whose spec turned invalid keeps publishing: those last published for the same object
 * (same uid: a tenant deleted and created again invalid is a new tenant with nothing to keep).
 */
function lastValid(object: TenantObject, before: PublishedBefore | undefined) {
  const name = object.metadata.name;
  const author = before?.authors[name];
  const settings = before?.settings.find((s) => s.tenant === name);
  if (!author || !settings || author.uid === '' || author.uid !== object.metadata.uid) return undefined;
  return { settings, author };
}

/**
 * The tenants of one pipeline: each object that parses is published (Accepted). One that does not (Rejected,
 * InvalidSpec, the parser's message naming every bad field) keeps its last valid settings published, with their
 * author, when `before` has them for that object (docs/adr/0121): an edit gone wrong must not lift its quotas,
 * drop its OIDC groups or tombstone it as if deleted (its keys and data stay). Without them it is left out. The
 * CRD's schema and CEL rules refuse most bad specs at admission; this catches what slips past them (an object
 * stored under an older schema).
 */
export function planTenants(objects: readonly TenantObject[], before?: PublishedBefore): TenantPlan {
  const settings: TenantSettings[] = [];
  const authors: Record<string, TenantAuthor> = {};
  const statusWrites: TenantStatusWrite[] = [];
  for (const object of [...objects].sort(byName)) {
    const generation = object.metadata.generation ?? 0;
    let status: TenantStatus;
    try {
      const parsed = parseTenantObject(object);
      settings.push(parsed.settings);
      authors[parsed.settings.tenant] = {
        uid: object.metadata.uid ?? '',
        generation,
        actor: tenantActor(object.metadata.managedFields),
      };
      status = {
        observedGeneration: generation,
        phase: 'Accepted',
        reason: 'Published',
        published: true,
        message: "in the pipeline's tenants file",
      };
    } catch (error) {
      if (!(error instanceof InvalidTenantError)) throw error;
      const kept = lastValid(object, before);
      if (kept) {
        settings.push(kept.settings);
        authors[object.metadata.name] = kept.author;
      }
      status = kept
        ? {
            ...rejected(generation, 'InvalidSpec', keptNote(kept.author.generation) + error.message),
            published: true,
          }
        : rejected(generation, 'InvalidSpec', error.message);
    }
    if (!sameTenantStatus(object.status, status)) statusWrites.push({ tenant: object, status });
  }
  return { settings, authors, statusWrites };
}

/** Tenants that name a pipeline that does not exist: Rejected, so `kubectl get gravixtenants` says why. */
export function planOrphanedTenants(objects: readonly TenantObject[], pipeline: string): TenantStatusWrite[] {
  return objects
    .map((tenant) => ({
      tenant,
      status: rejected(
        tenant.metadata.generation ?? 0,
        'PipelineNotFound',
        `GravixPipeline ${pipeline} does not exist in this namespace`,
      ),
    }))
    .filter((w) => !sameTenantStatus(w.tenant.status, w.status));
}

const keptNote = (generation: number) =>
  `the last valid settings (generation ${generation}) stay in the pipeline's tenants file; `;

function rejected(generation: number, reason: string, message: string): TenantStatus {
  return {
    observedGeneration: generation,
    phase: 'Rejected',
    reason,
    published: false,
    message: message.slice(0, 1024),
  };
}

const STATUS_KEYS = ['observedGeneration', 'phase', 'reason', 'published', 'message'] as const;

export function sameTenantStatus(a: TenantStatus | undefined, b: TenantStatus): boolean {
  return STATUS_KEYS.every((k) => a?.[k] === b[k]);
}

/** The pipeline a tenant object names, when it names one. */
export function tenantPipeline(object: unknown): string | undefined {
  const ref = (object as { spec?: { pipelineRef?: { name?: unknown } } }).spec?.pipelineRef?.name;
  return typeof ref === 'string' ? ref : undefined;
}
