import { createHash } from 'node:crypto';
import { z } from 'zod';
import { credentialScopes, type CredentialScope } from './access-scopes.js';
import { fileRingEntries, keysFileProblems } from './keys-file-entries.js';
import { tenantIdPattern } from './raw-record.js';
import { parseRfc3339 } from './rfc3339.js';

export type ApiKeyScope = CredentialScope;

export interface ApiKeyEntry {
  /** Stable id: `file:<name>` for keys of the keys file, `gk_...` for keys managed through the API. */
  id?: string;
  name: string;
  tenant: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  sha256: string;
  scopes: ApiKeyScope[];
  /** ms since epoch; from then on the key is refused (rotation's overlap window ends here). */
  expiresAt?: number;
  /** ms since epoch; set by revoke, refused from then on. */
  revokedAt?: number;
  /** A file key's digest from before a rotation by file (its `previous`): the same key, not listed again. */
  predecessor?: true;
}

export class InvalidApiKeysFileError extends Error {
  readonly code = 'INVALID_API_KEYS_FILE';
}

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
/** A time of the file (written by people and GitOps tools): RFC 3339, read as ms since epoch. */
const fileTime = z.string().transform((text, ctx) => {
  const ms = parseRfc3339(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be an RFC 3339 time, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});

const apiKeysSchema = z.object({
  keys: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        tenant: z.string().regex(tenantIdPattern, `must match ${tenantIdPattern.source}`),
        sha256: digest,
        scopes: z.array(z.enum(credentialScopes)).min(1).default(['ingest', 'query']),
        notAfter: fileTime.optional(),
        // A rotation by file (docs/adr/0121): the old digests stay accepted until their notAfter.
        previous: z
          .array(z.strictObject({ sha256: digest, notAfter: fileTime }))
          .max(8)
          .default([]),
      }),
    )
    .min(1),
});

/** Parses the API keys file (a Kubernetes Secret mounted as JSON), reporting every bad entry at once. */
export function parseApiKeys(text: string): ApiKeyEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InvalidApiKeysFileError(`API keys file is not JSON: ${(error as Error).message}`);
  }
  const result = apiKeysSchema.safeParse(doc);
  const problems = result.success
    ? keysFileProblems(result.data.keys)
    : result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  if (!result.success || problems.length > 0) {
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new InvalidApiKeysFileError(`API keys file is invalid: ${text}`);
  }
  return fileRingEntries(result.data.keys);
}

/**
 * The id a key's uses are recorded under. A managed key's id is unique across tenants; a file key's (`file:<name>`)
 * is unique only within its tenant, so its uses are kept under the tenant too: two tenants' file keys of one name
 * must not show each other's "last used".
 */
export function keyUsageId(entry: Pick<ApiKeyEntry, 'id' | 'name' | 'tenant'>): string {
  const id = entry.id ?? `file:${entry.name}`;
  return id.startsWith('file:') ? `file:${JSON.stringify([entry.tenant, entry.name])}` : id;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
