import { randomBytes } from 'node:crypto';
import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import {
  buildSavedViewsKey,
  emptyViewsDoc,
  parseSavedViewsDoc,
  type SavedViewsDoc,
} from '../domain/saved-views-doc.js';

export class SavedViewsContentionError extends Error {
  readonly code = 'SAVED_VIEWS_CONTENTION';
}

export const newViewId = () => `sv_${randomBytes(8).toString('hex')}`;

const encode = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);

/**
 * The tenants' saved views in the object store (docs/adr/0079). A change reads the tenant's document, applies a pure
 * step (workers/query/domain/saved-views-doc.ts) and writes it back with a conditional put (If-Match the etag read,
 * create-only when there was none), retrying the whole read-step-write when another writer got there first: no
 * acknowledged change is overwritten by a concurrent one, on one replica or several.
 */
export class SavedViewStore {
  constructor(private readonly store: ObjectStore) {}

  async read(tenant: string): Promise<{ doc: SavedViewsDoc; etag: string | undefined }> {
    const key = buildSavedViewsKey(tenant);
    const object = await this.store.get(key);
    if (!object) return { doc: emptyViewsDoc(), etag: undefined };
    return { doc: parseSavedViewsDoc(new TextDecoder().decode(object.body), key), etag: object.etag };
  }

  /** Runs `step` on the newest document until its write wins; a step that throws refuses the change. */
  async update<T>(
    tenant: string,
    step: (doc: SavedViewsDoc) => { doc: SavedViewsDoc } & T,
    attempts = 16,
  ): Promise<T> {
    const key = buildSavedViewsKey(tenant);
    for (let attempt = 0; attempt < attempts; attempt++) {
      const { doc, etag } = await this.read(tenant);
      const result = step(doc);
      if (result.doc === doc) return result;
      try {
        const condition = etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: etag };
        await this.store.put(key, encode(result.doc), { ...condition, contentType: 'application/json' });
        return result;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        // Spread the retries of writers that collided, so they do not collide again in step.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
    throw new SavedViewsContentionError(
      `the saved views of tenant '${tenant}' changed under ${attempts} attempts in a row; retry`,
    );
  }
}
