import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { tenantIdPattern } from './raw-record.js';

export type ApiKeyScope = 'ingest' | 'query';

export interface ApiKeyEntry {
  name: string;
  tenant: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  sha256: string;
  scopes: ApiKeyScope[];
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
        scopes: z
          .array(z.enum(['ingest', 'query']))
          .min(1)
          .default(['ingest', 'query']),
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
  return result.data.keys;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Finds the entry for a presented key, comparing digests in constant time against every entry. */
export function authenticateApiKey(
  entries: readonly ApiKeyEntry[],
  presented: string,
): ApiKeyEntry | undefined {
  const digest = Buffer.from(hashApiKey(presented), 'hex');
  let match: ApiKeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')) && !match) match = entry;
  }
  return match;
}
