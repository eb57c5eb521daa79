import {
  PreconditionFailedError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
  type StoredObject,
} from '../../adapters/object-store/object-store.js';
import { manifestsPrefix, parseManifestKey } from '../../domain/metrics-layout.js';

/**
 * The hour manifests as one rollup pass sees them: listed once when the pass starts, then kept current with every
 * manifest the pass writes, deletes or reads through `store` (commits, publishes, retention, each partition's load).
 * The day-tile, open-day-tile and open-hour-tile refreshes at the pass's end take their keys and etags from here instead of listing
 * every manifest again (a deployment keeps 90 days of hours per tenant: each listing is thousands of keys, and the
 * pass listed them three times).
 *
 * A concurrent run's write is not seen: the etag kept is then older than the store's, a tile's marker names it, and
 * the next pass, whose listing has the newer etag, rebuilds that tile, the same repair as after a kill between an
 * hour's commit and its day's tile. A conditional put this pass lost is followed by a head of the key, so a tile is
 * never built without an hour another run just committed.
 */
export class PassManifests {
  private readonly byKey = new Map<string, ObjectInfo>();
  /** The store the pass works through: every manifest it touches updates this view. */
  readonly store: ObjectStore;

  private constructor(
    inner: ObjectStore,
    /** As listed when the pass started (the plan and the edge reconciliation decide on this listing). */
    readonly listed: readonly ObjectInfo[],
  ) {
    for (const info of listed) this.byKey.set(info.key, info);
    this.store = new ManifestTrackingStore(inner, this.byKey);
  }

  static async list(store: ObjectStore): Promise<PassManifests> {
    return new PassManifests(store, await store.list(manifestsPrefix));
  }

  /** The hour manifests as the pass leaves them, in key order (what a listing now would say, but for other runs). */
  current(): ObjectInfo[] {
    return [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

const isManifestKey = (key: string) => key.startsWith(manifestsPrefix) && parseManifestKey(key) !== undefined;

/** Passes every call through; notes what it learns about hour manifests in `byKey`. */
class ManifestTrackingStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly byKey: Map<string, ObjectInfo>,
  ) {}

  private note(key: string, info: ObjectInfo | undefined): void {
    if (!isManifestKey(key)) return;
    if (info) this.byKey.set(key, { key, size: info.size, etag: info.etag });
    else this.byKey.delete(key);
  }

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult> {
    try {
      const result = await this.inner.put(key, body, options);
      this.note(key, { key, size: body.byteLength, etag: result.etag });
      return result;
    } catch (error) {
      // Another run changed the manifest: learn its etag now rather than build a tile from the one we had.
      // If that head fails too, the etag kept is older than the store's: the next pass rebuilds the tile.
      if (error instanceof PreconditionFailedError && isManifestKey(key))
        await this.inner.head(key).then(
          (info) => this.note(key, info),
          () => undefined,
        );
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const object = await this.inner.get(key);
    this.note(key, object);
    return object;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.inner.head(key);
    this.note(key, info);
    return info;
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.inner.list(prefix);
  }

  async delete(key: string): Promise<void> {
    await this.inner.delete(key);
    this.note(key, undefined);
  }
}
