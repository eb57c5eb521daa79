/**
 * Every object key of the identity data in the store: the one owner of where keys, their usage and the audit log
 * live (workers/storage-setup/domain/component-policies.ts grants the prefixes).
 */
export const identityPrefix = 'identity/';
export const auditPrefix = 'audit/';

/** The managed API keys of every tenant: one document, replaced with conditional puts (ADR 0069). */
export const managedKeysKey = `${identityPrefix}api-keys.json`;

export const keyUsagePrefix = `${identityPrefix}key-usage/`;
/** When each key was last used, as one server instance saw it. */
export const keyUsageKey = (instance: string) => `${keyUsagePrefix}${instance}.json`;

/** The tenants as last recorded in the audit log, and events decided but not yet appended (tenant-changes.ts). */
export const tenantsAuditedKey = `${identityPrefix}tenants-audited.json`;

export const sessionPrefix = `${identityPrefix}sessions/`;
/** A person's session, named by the SHA-256 of its id (docs/adr/0076): the id itself is only in the cookie. */
export const sessionKey = (idDigest: string) => `${sessionPrefix}${idDigest}.json`;

export const auditDayPrefix = (tenant: string, dayMs: number) =>
  `${auditPrefix}tenant=${tenant}/date=${new Date(dayMs).toISOString().slice(0, 10)}/`;

/** One audit event: create-only, named by time first so a listing is in time order. */
export const auditEventKey = (tenant: string, at: number, nonce: string) =>
  `${auditDayPrefix(tenant, at)}${String(at).padStart(13, '0')}-${nonce}.json`;

/** The event time an audit key carries, or undefined for a key that is not an audit event. */
export function auditKeyTime(key: string): number | undefined {
  const match = /\/(\d{13})-[0-9a-f]+\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

export const ingestReplicaPrefix = `${identityPrefix}ingest-replicas/`;
/** An ingest replica's beat (workers/domain/quota-replicas.ts): how replicas share tenant quotas (ADR 0080). */
export const ingestReplicaKey = (replica: string) => `${ingestReplicaPrefix}${replica}.json`;

export const ingestCardinalityPrefix = `${identityPrefix}ingest-cardinality/`;
/**
 * The names an ingest replica admitted for a tenant with a services or routes-per-service quota, and which it owns
 * (workers/domain/cardinality-shares.ts): how replicas keep those quotas together (docs/adr/0090).
 */
export const ingestCardinalityKey = (tenant: string, replica: string) =>
  `${ingestCardinalityPrefix}${tenant}/${replica}.json`;

export const signInFailuresPrefix = `${identityPrefix}sign-in-failures/`;
/**
 * One subject's failed sign-ins in one window-long bucket (workers/domain/sign-in-throttle.ts), named by the SHA-256
 * of the subject: every query replica counts the same failures (docs/adr/0090). A bucket two windows old is
 * deleted whole.
 */
export const signInFailuresKey = (bucket: number, subjectDigest: string) =>
  `${signInFailuresPrefix}window=${bucket}/${subjectDigest}.json`;

/** The bucket a sign-in failures key names, or undefined for any other key. */
export function signInFailuresBucket(key: string): number | undefined {
  const match = /^identity\/sign-in-failures\/window=(\d+)\//.exec(key);
  return match ? Number(match[1]) : undefined;
}
