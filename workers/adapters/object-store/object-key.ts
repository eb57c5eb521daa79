import { InvalidObjectKeyError } from './object-store.js';

// A segment may not start with '.', which keeps stores' own temp and lock files out of the key space.
const allowedSegment = /^[A-Za-z0-9_=-][A-Za-z0-9._=-]*$/;

/**
 * Object keys are '/'-separated segments of [A-Za-z0-9._=-]; segments starting with '.' (so '.', '..') and
 * empty segments are refused so a key can never escape a local store's root.
 */
export function parseObjectKey(key: string): string {
  if (key.length === 0 || key.length > 1024) {
    throw new InvalidObjectKeyError(`object key '${key.slice(0, 64)}' must be 1 to 1024 characters`);
  }
  for (const segment of key.split('/')) {
    if (!allowedSegment.test(segment)) {
      throw new InvalidObjectKeyError(
        `object key '${key}' has segment '${segment}': segments must match ${allowedSegment.source} (no leading '.')`,
      );
    }
  }
  return key;
}

/** Prefixes may end with '/' or be empty (everything). */
export function parseObjectPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  parseObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
