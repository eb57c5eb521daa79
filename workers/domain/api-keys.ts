import { createHash } from 'node:crypto';
import { z } from 'zod';
import { credentialScopes, type CredentialScope } from './access-scopes.js';
import { tenantIdPattern } from './raw-record.js';

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
}

export class InvalidApiKeysFileError extends Error {
  readonly code = 'INVALID_API_KEYS_FILE';
}

const apiKeysSchema = z.object({
  keys: z
    .array(
      z.object({
        name: z.string().min(1).max(64),
        tenant: z.string().regex(tenantIdPattern, `must match ${tenantIdPattern.source}`),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
        scopes: z.array(z.enum(credentialScopes)).min(1).default(['ingest', 'query']),
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
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidApiKeysFileError(`API keys file is invalid: ${problems.join('; ')}`);
  }
  return result.data.keys.map((k) => ({ ...k, id: `file:${k.name}` }));
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
