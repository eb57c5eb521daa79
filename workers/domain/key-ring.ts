import { hashApiKey, type ApiKeyEntry } from './api-keys.js';

export type KeyRefusal = 'unknown' | 'expired' | 'revoked';

export type KeyLookup = { entry: ApiKeyEntry } | { refused: KeyRefusal; entry?: ApiKeyEntry };

/**
 * The keys a server accepts, indexed by their SHA-256: one hash of the presented key and one map read per request
 * (the ingest hot lane pays for nothing else). Looking a digest up in a map leaks nothing useful by its timing: an
 * attacker who could steer it would need SHA-256 preimages. Immutable; a reload builds a new ring.
 */
export class KeyRing {
  private readonly byDigest = new Map<string, ApiKeyEntry>();

  constructor(readonly entries: readonly ApiKeyEntry[]) {
    // A digest listed twice (the keys file and the store) keeps the first: the file is read first.
    for (const entry of entries) if (!this.byDigest.has(entry.sha256)) this.byDigest.set(entry.sha256, entry);
  }

  lookup(presented: string, now: number): KeyLookup {
    const entry = this.byDigest.get(hashApiKey(presented));
    if (!entry) return { refused: 'unknown' };
    if (entry.revokedAt !== undefined && entry.revokedAt <= now) return { refused: 'revoked', entry };
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) return { refused: 'expired', entry };
    return { entry };
  }

  get size(): number {
    return this.byDigest.size;
  }
}

/** What the HTTP edge needs of the keys: the current ring, and where to note that a key was used. */
export interface KeyAccess {
  ring(): KeyRing;
  /** Called on every accepted key: must be a map write at most (the hot lane calls it). */
  used?(keyId: string, now: number): void;
}

/** Keys that never change (tests, benches and the embedded harnesses). */
export function staticKeys(entries: readonly ApiKeyEntry[]): KeyAccess {
  const ring = new KeyRing(entries);
  return { ring: () => ring };
}
