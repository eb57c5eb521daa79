import { createHash } from 'node:crypto';

export const CONFIG_HASH_ANNOTATION = 'gravix.dev/config-hash';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

/**
 * Hash of the configuration a pod template consumes; put on the template it rolls pods exactly when that
 * configuration changes (key order does not matter, so re-synthesis never rolls pods by accident).
 */
export function hashConfig(...parts: unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(parts)))
    .digest('hex')
    .slice(0, 16);
}
