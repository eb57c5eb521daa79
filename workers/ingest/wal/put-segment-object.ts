import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  PreconditionFailedError,
  UploadVerificationError,
  type ObjectStore,
} from '../../adapters/object-store/object-store.js';

/**
 * A segment's object key already holds different records. Raw and dead-letter objects are written once and
 * never replaced, so the upload stops here and the local segment is kept.
 */
export class RawObjectCollisionError extends Error {
  readonly code = 'RAW_OBJECT_COLLISION';
  constructor(readonly key: string) {
    super(
      `object '${key}' already exists with different content: raw and dead-letter objects are never replaced, ` +
        'so the local segment is kept until the object is examined',
    );
  }
}

/** 'created' = this put wrote it; 'already-stored' = an earlier upload of the same segment did (a retry). */
export type SegmentObjectOutcome = 'created' | 'already-stored';

/** Compares what the objects hold, not their gzip bytes: a zlib change must not look like a collision. */
function sameRecords(stored: Uint8Array, body: Uint8Array): boolean {
  try {
    return gunzipSync(stored).equals(gunzipSync(body));
  } catch {
    return false;
  }
}

/**
 * Writes one segment object with create-if-absent. When the key exists (the same segment was uploaded before
 * a crash kept its local copy, or the store's own retry of this put had landed), the stored records are
 * compared with ours: the same records are success, anything else a RawObjectCollisionError.
 */
export async function putSegmentObject(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
): Promise<SegmentObjectOutcome> {
  try {
    await store.put(key, body, { contentType: 'application/gzip', ifNoneMatch: '*' });
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const stored = await store.get(key);
    // Gone again (deleted in between): the next attempt creates it.
    if (stored === undefined) throw error;
    if (sameRecords(stored.body, body)) return 'already-stored';
    throw new RawObjectCollisionError(key);
  }
  const stored = await store.head(key);
  if (stored?.size !== body.length) {
    throw new UploadVerificationError(
      `object '${key}' has ${stored?.size ?? 'no'} bytes, expected ${body.length}`,
    );
  }
  return 'created';
}

/**
 * A segment id derived from an object's records, for segments written before segment ids existed whose old
 * key turns out to hold another segment's records (the sequence restarted): the same records always get the
 * same id, so retrying after a crash finds its own earlier upload instead of writing a second copy.
 */
export function buildContentSegmentId(body: Uint8Array): string {
  return createHash('sha256').update(gunzipSync(body)).digest('hex').slice(0, 16);
}
