import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';

export class DataFileContentionError extends Error {
  readonly code = 'DATA_FILE_CONTENTION';
}

const attempts = 5;

/**
 * Writes a fixed-name data file for the generation whose manifest has `manifestEtag`, as a conditional put on
 * the file we saw (create-only when absent). The file is read before the manifest is checked, so a newer
 * generation's write after our check makes our put fail, and our retry sees the newer manifest and stops: an
 * older generation never replaces a newer one's file, whatever the interleaving. False = superseded.
 */
export async function putWhileCommitted(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
  manifestKey: string,
  manifestEtag: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.head(key);
    if ((await store.head(manifestKey))?.etag !== manifestEtag) return false;
    try {
      await store.put(key, body, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' });
      return true;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }
  throw new DataFileContentionError(
    `data file '${key}' changed under ${attempts} conditional puts while manifest '${manifestKey}' stayed ours: another writer replaces it without committing`,
  );
}
