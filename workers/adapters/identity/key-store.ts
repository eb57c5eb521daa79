import { createHash, randomBytes } from 'node:crypto';
import { hashApiKey } from '../../domain/api-keys.js';
import { keyUsageKey, keyUsagePrefix, managedKeysKey } from '../../domain/identity-layout.js';
import {
  emptyKeysDoc,
  parseManagedKeysDoc,
  type ManagedKeysDoc,
  type NewKey,
} from '../../domain/managed-keys.js';
import { PreconditionFailedError, type ObjectStore } from '../object-store/object-store.js';

export class KeyStoreContentionError extends Error {
  readonly code = 'KEY_STORE_CONTENTION';
}

/** A new secret (shown once) and what is stored of it. */
export function generateKey(): NewKey & { secret: string } {
  const secret = `gx_${randomBytes(32).toString('base64url')}`;
  return { secret, sha256: hashApiKey(secret), id: `gk_${randomBytes(8).toString('hex')}` };
}

const encode = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);

/**
 * The managed keys document in the object store. Every change is read, apply a pure step, write back with a
 * conditional put (If-Match the etag read, or create-only when there was none): two admins changing keys at once
 * on two query replicas both land, one after a retry, and neither overwrites the other.
 */
export class ObjectKeyStore {
  constructor(private readonly store: ObjectStore) {}

  async read(): Promise<{ doc: ManagedKeysDoc; etag: string | undefined }> {
    const object = await this.store.get(managedKeysKey);
    if (!object) return { doc: emptyKeysDoc(), etag: undefined };
    return { doc: parseManagedKeysDoc(new TextDecoder().decode(object.body)), etag: object.etag };
  }

  /** The document's etag, or undefined when there is none yet: what a reloader polls. */
  async version(): Promise<string | undefined> {
    return (await this.store.head(managedKeysKey))?.etag;
  }

  async update<T>(step: (doc: ManagedKeysDoc) => { doc: ManagedKeysDoc } & T, attempts = 8): Promise<T> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const { doc, etag } = await this.read();
      const result = step(doc);
      if (result.doc === doc) return result;
      try {
        await this.store.put(
          managedKeysKey,
          encode(result.doc),
          etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag },
        );
        return result;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new KeyStoreContentionError(`the keys document changed under ${attempts} attempts in a row; retry`);
  }

  /** Last use per key id, the newest any instance reported. */
  async readUsage(): Promise<Map<string, number>> {
    const usage = new Map<string, number>();
    for (const info of await this.store.list(keyUsagePrefix)) {
      const object = await this.store.get(info.key);
      if (object) mergeUsage(usage, new TextDecoder().decode(object.body));
    }
    return usage;
  }

  /** This instance's view of last use; only its own file, so instances never contend. */
  async writeUsage(instance: string, usage: ReadonlyMap<string, number>): Promise<void> {
    await this.store.put(keyUsageKey(instance), encode(Object.fromEntries(usage)));
  }
}

/** Adds one instance's usage file to `usage`; a torn or foreign file costs a "last used" figure, never a listing. */
function mergeUsage(usage: Map<string, number>, text: string): void {
  let seen: unknown;
  try {
    seen = JSON.parse(text);
  } catch {
    return;
  }
  if (typeof seen !== 'object' || seen === null) return;
  for (const [id, at] of Object.entries(seen))
    if (typeof at === 'number') usage.set(id, Math.max(at, usage.get(id) ?? 0));
}

/** A short stable name for a server instance's usage file. */
export const instanceName = (role: string, id: string) =>
  `${role}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
