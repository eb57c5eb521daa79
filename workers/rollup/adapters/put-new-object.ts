import {
  PreconditionFailedError,
  type ObjectStore,
  type PutOptions,
} from '../../adapters/object-store/object-store.js';

/** A create-only metrics object already exists with other bytes: something wrote where only we may write. */
export class MetricsObjectCollisionError extends Error {
  readonly code = 'METRICS_OBJECT_COLLISION';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Create-only put (`ifNoneMatch: '*'`) for objects whose name says what they hold (content-addressed markers,
 * files a manifest does not list yet). Finding the same bytes there is a rerun after a crash and fine; other
 * bytes are a collision, reported loudly rather than replaced.
 */
export async function putNewObject(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
  options: Omit<PutOptions, 'ifNoneMatch' | 'ifMatch'> = {},
): Promise<'created' | 'existed'> {
  try {
    await store.put(key, body, { ...options, ifNoneMatch: '*' });
    return 'created';
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const existing = await store.get(key);
    if (existing && sameBytes(existing.body, body)) return 'existed';
    throw new MetricsObjectCollisionError(
      `object '${key}' already exists with different content (${existing?.size ?? 'unknown'} bytes, ours ${body.byteLength}): create-only metrics objects are never replaced`,
      { cause: error },
    );
  }
}
