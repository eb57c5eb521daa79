import { z } from 'zod';
import { credentialScopes, type CredentialScope } from './access-scopes.js';
import { keyUsageId, type ApiKeyEntry } from './api-keys.js';
import { tenantIdPattern } from './raw-record.js';

/**
 * Keys managed through the API (create, list, rotate, revoke): the stored document's shape and the pure steps that
 * change it. The adapter (workers/adapters/identity/key-store.ts) reads, applies one step, and writes back with a
 * conditional put. Only SHA-256 digests are stored; a secret is shown once, when it is made.
 */
export const keyIdPattern = /^gk_[0-9a-f]{16}$/;
const day = 86_400_000;
/** How long a revoked or expired key stays listed (and refused by name) before it is dropped from the document. */
export const keyTombstoneMs = 30 * day;
export const maxOverlapMs = 30 * day;

const managedKeySchema = z.object({
  id: z.string().regex(keyIdPattern),
  name: z.string().min(1).max(64),
  tenant: z.string().regex(tenantIdPattern),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  scopes: z.array(z.enum(credentialScopes)).min(1),
  createdAt: z.number().int(),
  createdBy: z.string(),
  expiresAt: z.number().int().optional(),
  revokedAt: z.number().int().optional(),
  rotatedFrom: z.string().optional(),
  rotatedTo: z.string().optional(),
});
export type ManagedKey = z.infer<typeof managedKeySchema>;

export const managedKeysDocSchema = z.object({ version: z.literal(1), keys: z.array(managedKeySchema) });
export type ManagedKeysDoc = z.infer<typeof managedKeysDocSchema>;
export const emptyKeysDoc = (): ManagedKeysDoc => ({ version: 1, keys: [] });

export class KeyNotFoundError extends Error {
  readonly code = 'KEY_NOT_FOUND';
}
export class KeyNotActiveError extends Error {
  readonly code = 'KEY_NOT_ACTIVE';
}
/** A new key's name is in use in its tenant (docs/adr/0112). */
export class KeyNameTakenError extends Error {
  readonly code = 'KEY_NAME_TAKEN';
}
export class InvalidKeysDocumentError extends Error {
  readonly code = 'INVALID_KEYS_DOCUMENT';
}

export function parseManagedKeysDoc(text: string): ManagedKeysDoc {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidKeysDocumentError(`the managed keys document is not JSON: ${(error as Error).message}`);
  }
  const result = managedKeysDocSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidKeysDocumentError(`the managed keys document is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** A key as the ring sees it. */
export const toRingEntry = (k: ManagedKey): ApiKeyEntry => ({
  id: k.id,
  name: k.name,
  tenant: k.tenant,
  sha256: k.sha256,
  scopes: k.scopes,
  ...(k.expiresAt !== undefined && { expiresAt: k.expiresAt }),
  ...(k.revokedAt !== undefined && { revokedAt: k.revokedAt }),
});

/** What an admin is shown of a key: everything but its digest. */
export interface KeyView {
  id: string;
  name: string;
  scopes: CredentialScope[];
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  state: 'active' | 'expired' | 'revoked';
  rotatedFrom: string | null;
  rotatedTo: string | null;
}

export function viewKey(k: ManagedKey, lastUsedAt: number | undefined, now: number): KeyView {
  const state =
    k.revokedAt !== undefined && k.revokedAt <= now
      ? 'revoked'
      : k.expiresAt !== undefined && k.expiresAt <= now
        ? 'expired'
        : 'active';
  return {
    id: k.id,
    name: k.name,
    scopes: k.scopes,
    createdAt: k.createdAt,
    createdBy: k.createdBy,
    expiresAt: k.expiresAt ?? null,
    revokedAt: k.revokedAt ?? null,
    lastUsedAt: lastUsedAt ?? null,
    state,
    rotatedFrom: k.rotatedFrom ?? null,
    rotatedTo: k.rotatedTo ?? null,
  };
}

/** Drops keys that stopped working more than keyTombstoneMs ago: the document stays small. */
function prune(keys: readonly ManagedKey[], now: number): ManagedKey[] {
  return keys.filter((k) => {
    const ended = Math.min(k.revokedAt ?? Infinity, k.expiresAt ?? Infinity);
    return ended > now - keyTombstoneMs;
  });
}

export interface NewKey {
  id: string;
  sha256: string;
}

export interface CreateKeyInput {
  tenant: string;
  name: string;
  scopes: CredentialScope[];
  expiresAt?: number;
  actor: string;
  /** Names of the tenant's keys in the keys file: taken too, since the audit log names a key by its name. */
  fileKeyNames?: readonly string[];
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Refuses a name a working key of the tenant holds, in any case (`CI` and `ci` would read as one actor,
 * `key:<name>`, in the audit log). A revoked or expired key's name is free again: its successor must not wait out
 * the 30 days a revoked key stays listed. A rotation's successor shares its predecessor's name by design: one key,
 * two secrets for the overlap. Duplicates stored before this rule keep working (docs/adr/0112).
 */
function requireFreeName(doc: ManagedKeysDoc, input: CreateKeyInput, now: number): void {
  const { tenant, name } = input;
  if (input.fileKeyNames?.some((taken) => sameName(taken, name)))
    throw new KeyNameTakenError(
      `name '${name}' is taken in tenant '${tenant}' by a key of the keys file (GRAVIX_API_KEYS_FILE); choose another name`,
    );
  const holder = doc.keys.find(
    (k) => k.tenant === tenant && sameName(k.name, name) && viewKey(k, undefined, now).state === 'active',
  );
  if (holder)
    throw new KeyNameTakenError(
      `name '${name}' is taken in tenant '${tenant}' by key ${holder.id}, which still works; rotate that key for ` +
        'a new secret, revoke it first, or choose another name',
    );
}

/** A new key of the tenant, or KeyNameTakenError when a working key already has its name. */
export function createKey(doc: ManagedKeysDoc, input: CreateKeyInput, fresh: NewKey, now: number) {
  requireFreeName(doc, input, now);
  const key: ManagedKey = {
    id: fresh.id,
    name: input.name,
    tenant: input.tenant,
    sha256: fresh.sha256,
    scopes: [...new Set(input.scopes)],
    createdAt: now,
    createdBy: input.actor,
    ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
  };
  return { doc: { version: 1 as const, keys: [...prune(doc.keys, now), key] }, key };
}

/** The tenant's key with this id, or KeyNotFoundError: another tenant's id is as unknown as a made-up one. */
function find(doc: ManagedKeysDoc, tenant: string, id: string): ManagedKey {
  const key = doc.keys.find((k) => k.id === id && k.tenant === tenant);
  if (!key) throw new KeyNotFoundError(`no key '${id}' in tenant '${tenant}'`);
  return key;
}

function requireActive(key: ManagedKey, now: number): void {
  const state = viewKey(key, undefined, now).state;
  if (state !== 'active')
    throw new KeyNotActiveError(`key '${key.id}' is ${state}; only an active key can be rotated`);
}

/**
 * A new secret for a key: the new key gets the old one's name, scopes and expiry; the old one keeps working for
 * `overlapMs` (or until its own expiry, if sooner), so clients can switch without a refused request.
 */
export function rotateKey(
  doc: ManagedKeysDoc,
  tenant: string,
  id: string,
  overlapMs: number,
  fresh: NewKey,
  actor: string,
  now: number,
) {
  const before = find(doc, tenant, id);
  requireActive(before, now);
  const end = Math.min(now + overlapMs, before.expiresAt ?? Infinity);
  const after: ManagedKey = { ...before, expiresAt: end, rotatedTo: fresh.id };
  const successor: ManagedKey = {
    id: fresh.id,
    name: before.name,
    tenant,
    sha256: fresh.sha256,
    scopes: before.scopes,
    createdAt: now,
    createdBy: actor,
    rotatedFrom: before.id,
    // A key made to expire keeps its lifetime through rotation: rotating a one-day key must not yield a key that
    // never expires. The successor lives as long from now as its predecessor was granted from its creation.
    ...(before.expiresAt === undefined ? {} : { expiresAt: now + (before.expiresAt - before.createdAt) }),
  };
  const keys = prune(doc.keys, now).map((k) => (k.id === id ? after : k));
  return { doc: { version: 1 as const, keys: [...keys, successor] }, before, after, successor };
}

/** Revokes a key from `now` on; revoking a revoked key changes nothing (and says so by returning it unchanged). */
export function revokeKey(doc: ManagedKeysDoc, tenant: string, id: string, now: number) {
  const before = find(doc, tenant, id);
  if (before.revokedAt !== undefined) return { doc, before, after: before };
  const after: ManagedKey = { ...before, revokedAt: now };
  const keys = doc.keys.map((k) => (k.id === id ? after : k));
  return { doc: { version: 1 as const, keys }, before, after };
}

export function listKeys(
  doc: ManagedKeysDoc,
  tenant: string,
  usage: ReadonlyMap<string, number>,
  now: number,
) {
  return doc.keys.filter((k) => k.tenant === tenant).map((k) => viewKey(k, usage.get(k.id), now));
}

/**
 * A key of the keys file (GRAVIX_API_KEYS_FILE: `gravix dev`'s dev-api-key, the operator's generated Secret) as an
 * admin is shown it: listed so an admin sees every credential of the tenant, never its secret or digest, and
 * marked `source: 'file'` because the API cannot rotate or revoke it (it changes only with the file).
 */
export interface FileKeyView {
  id: string;
  name: string;
  scopes: CredentialScope[];
  source: 'file';
  lastUsedAt: number | null;
  /** The entry's notAfter: from then on the key is refused; null when the file gives none. */
  expiresAt: number | null;
  /**
   * While a rotation by file is in its overlap window: when the last old secret (`previous`) stops working, so an
   * admin sees how long clients have to move to the new secret; null when no old secret works any more.
   */
  previousUntil: number | null;
}

export function listFileKeys(
  entries: readonly ApiKeyEntry[],
  tenant: string,
  usage: ReadonlyMap<string, number>,
  now: number,
): FileKeyView[] {
  const own = entries.filter((e) => e.tenant === tenant);
  return own
    .filter((e) => !e.predecessor)
    .map((e) => {
      const id = e.id ?? `file:${e.name}`;
      // A predecessor's expiresAt is already the earlier of its window and the entry's own end.
      const previousEnds = own.flatMap((p) =>
        p.predecessor && p.id === id && p.expiresAt !== undefined && p.expiresAt > now ? [p.expiresAt] : [],
      );
      return {
        id,
        name: e.name,
        scopes: [...e.scopes],
        source: 'file',
        lastUsedAt: usage.get(keyUsageId(e)) ?? null,
        expiresAt: e.expiresAt ?? null,
        previousUntil: previousEnds.length > 0 ? Math.max(...previousEnds) : null,
      };
    });
}
