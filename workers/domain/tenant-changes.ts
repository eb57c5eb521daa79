import { z } from 'zod';
import type { TenantSettings } from '../../crds/gravix-tenant-spec.js';

/**
 * Tenant changes for the audit log (issue #22): which tenants were created, changed or deleted since the last
 * audited state, a document in the store every query replica shares (workers/adapters/tenants/tenant-audit.ts).
 * Pure: the document, the tenants file and its authors file are data.
 */

/**
 * Who last changed a tenant, as the operator read it from the GravixTenant (operator/domain/tenant-plan.ts), in
 * the authors file beside the tenants file (cdk8s/tenants-config.ts renders it). The one owner of that file's shape.
 */
const tenantAuthorSchema = z.object({ uid: z.string(), generation: z.number().int(), actor: z.string() });
export type TenantAuthor = z.infer<typeof tenantAuthorSchema>;
/**
 * A GravixTenant the operator saw go (its uid was in the file's previous authors and is no longer), with when it
 * saw that: positive evidence of a deletion, where a tenant merely missing from a replica's file may be one the
 * replica has not been sent yet. Kept by the operator for TOMBSTONE_MS (docs/adr/0097).
 */
const tenantTombstoneSchema = z.object({ tenant: z.string(), at: z.number().int() });
export type TenantTombstone = z.infer<typeof tenantTombstoneSchema>;
export const tenantAuthorsFileSchema = z.object({
  tenants: z.record(z.string(), tenantAuthorSchema).default({}),
  /** uid -> tombstone of GravixTenants deleted lately. */
  deleted: z.record(z.string(), tenantTombstoneSchema).default({}),
});
export type TenantAuthorsFile = z.infer<typeof tenantAuthorsFileSchema>;

const auditedTenantSchema = z.object({
  settings: z.unknown(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  /** When this state was recorded. */
  at: z.number().int().default(0),
});

type AuditedTenant = z.infer<typeof auditedTenantSchema>;

const pendingEventSchema = z.object({
  nonce: z.string().regex(/^[0-9a-f]{16}$/),
  at: z.number().int(),
  tenant: z.string(),
  actor: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type PendingTenantEvent = z.infer<typeof pendingEventSchema>;

export const auditedTenantsSchema = z.object({
  tenants: z.record(z.string(), auditedTenantSchema),
  /** Uids of deleted GravixTenants (newest last, bounded): a replica whose file still lists one must not revive it. */
  deletedUids: z.array(z.string()).max(1000).default([]),
  /** Events decided but perhaps not appended yet: whoever reads the document next appends them (idempotently). */
  pending: z.array(pendingEventSchema).default([]),
});
export type AuditedTenants = z.infer<typeof auditedTenantsSchema>;

export const emptyAuditedTenants = (): AuditedTenants => ({ tenants: {}, deletedUids: [], pending: [] });

export const UNKNOWN_ACTOR = 'unknown';
const MAX_DELETED_UIDS = 1000;
/**
 * How long a GravixTenant's ConfigMap change may take to reach every query pod (the kubelet's sync period plus its
 * cache: about a minute, doubled). A tenant missing from a replica's file is a deletion only once its recorded state
 * is older than this: before, the replica may simply not have the file that lists it yet.
 */
export const PROPAGATION_MS = 120_000;
/** How long the operator keeps a tombstone: every replica's file had time to carry it (twice the propagation). */
export const TOMBSTONE_MS = 2 * PROPAGATION_MS;
const MAX_TOMBSTONES = 200;

/**
 * The tombstones the operator publishes next (pure): the previous file's, less those older than TOMBSTONE_MS (and
 * past MAX_TOMBSTONES, the oldest), plus one for each uid the previous file listed that `authors` no longer does.
 * Equal inputs give equal output, so a steady pipeline's ConfigMap does not change.
 */
export function planTenantTombstones(
  previous: TenantAuthorsFile | undefined,
  authors: Readonly<Record<string, TenantAuthor>>,
  now: number,
): Record<string, TenantTombstone> {
  const listed = new Set(Object.values(authors).map((a) => a.uid));
  const kept = Object.entries(previous?.deleted ?? {}).filter(
    ([uid, t]) => now - t.at < TOMBSTONE_MS && !listed.has(uid),
  );
  const gone = Object.entries(previous?.tenants ?? {})
    .filter(([, a]) => a.uid !== '' && !listed.has(a.uid) && !previous?.deleted[a.uid])
    .map(([tenant, a]): [string, TenantTombstone] => [a.uid, { tenant, at: now }]);
  const all = [...kept, ...gone].sort(([ua, a], [ub, b]) => a.at - b.at || (ua < ub ? -1 : 1));
  return Object.fromEntries(all.slice(-MAX_TOMBSTONES));
}

export interface TenantChangesInput {
  audited: AuditedTenants;
  current: readonly TenantSettings[];
  authors: Readonly<Record<string, TenantAuthor>>;
  /** The operator's tombstones (uid -> deletion) beside the authors: a recorded tenant among them is deleted now. */
  deleted?: Readonly<Record<string, TenantTombstone>>;
  at: number;
  nonce: () => string;
}

/**
 * What changed from the audited state to this replica's view, and the next audited state. A view older than the
 * audited state (a replica whose mounted file the kubelet has not updated yet: a lower generation of the same
 * object, or an object already recorded as deleted) changes nothing, so replicas that see a change at different
 * moments record it once and never record it back. A recorded GravixTenant a replica does not list is deleted at
 * once when the operator's tombstone for its uid says so; without one (the tombstone expired, or an older operator)
 * only once it was recorded PROPAGATION_MS ago: before, the replica may not have the file that lists it yet.
 * Without authors (the embedded mode's one file, one process) every difference counts at once.
 */
export function planTenantChanges(input: TenantChangesInput): {
  events: PendingTenantEvent[];
  next: AuditedTenants;
} {
  const { audited } = input;
  const state = { tenants: { ...audited.tenants }, deletedUids: [...audited.deletedUids] };
  const current = new Map(input.current.map((t) => [t.tenant, t]));
  const events = [
    ...[...current.values()].flatMap((t) => recordCurrent(input, state, t)),
    ...Object.keys(audited.tenants)
      .filter((id) => !current.has(id))
      .flatMap((id) => recordMissing(input, state, id)),
  ];
  return {
    events,
    next: {
      tenants: state.tenants,
      deletedUids: state.deletedUids.slice(-MAX_DELETED_UIDS),
      pending: [...audited.pending, ...events],
    },
  };
}

type MutableState = Pick<AuditedTenants, 'tenants' | 'deletedUids'>;

/** A tenant this replica lists: created or changed, unless its view is older than what was recorded. */
function recordCurrent(
  input: TenantChangesInput,
  state: MutableState,
  settings: TenantSettings,
): PendingTenantEvent[] {
  const id = settings.tenant;
  const author = input.authors[id];
  const before = state.tenants[id];
  if (isBehind(state, before, author) || (before && sameJson(before.settings, settings))) return [];
  state.tenants[id] = {
    settings,
    at: input.at,
    ...(author ? { uid: author.uid, generation: author.generation } : {}),
  };
  const actor = author?.actor ?? UNKNOWN_ACTOR;
  const base = { nonce: input.nonce(), at: input.at, tenant: id, actor };
  return [{ ...base, ...(before ? { before: before.settings } : {}), after: settings }];
}

/** A view older than what was recorded: an object recorded as deleted, or an older generation of the same one. */
function isBehind(
  state: MutableState,
  before: AuditedTenant | undefined,
  author: TenantAuthor | undefined,
): boolean {
  if (!author) return false;
  if (state.deletedUids.includes(author.uid)) return true;
  return before?.uid === author.uid && (before.generation ?? 0) > author.generation;
}

/** A recorded tenant this replica does not list: deleted, once every replica must have had time to see it. */
function recordMissing(input: TenantChangesInput, state: MutableState, id: string): PendingTenantEvent[] {
  const before = state.tenants[id]!;
  const tombstoned = before.uid !== undefined && input.deleted?.[before.uid] !== undefined;
  if (before.uid && !tombstoned && input.at - before.at < PROPAGATION_MS) return [];
  delete state.tenants[id];
  if (before.uid) state.deletedUids.push(before.uid);
  // Who deletes an object leaves no managed field behind: the actor of a deletion is not known.
  return [{ nonce: input.nonce(), at: input.at, tenant: id, actor: UNKNOWN_ACTOR, before: before.settings }];
}

/** Key order does not make two settings different (YAML and the apiserver order keys as they like). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
