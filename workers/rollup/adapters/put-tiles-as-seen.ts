import { PreconditionFailedError, type ObjectStore } from '../../adapters/object-store/object-store.js';
import { putNewObject } from './put-new-object.js';

/** Each tile key's etag before the tiles' inputs are read; undefined where there is no tile yet. */
export type SeenTiles = ReadonlyMap<string, string | undefined>;

/**
 * Heads the tiles before their inputs are read, so that putTilesAsSeen can tell a tile another run wrote meanwhile
 * from the one this run's inputs replace. One head at a time, as the day, open-day and open-hour refreshes did.
 */
export async function loadSeenTiles(store: ObjectStore, keys: Iterable<string>): Promise<SeenTiles> {
  const seen = new Map<string, string | undefined>();
  for (const key of keys) seen.set(key, (await store.head(key))?.etag);
  return seen;
}

/**
 * Writes the tiles, each a conditional put on the etag seen before reading their inputs (a rerun after late data
 * replaces the tile; a first build creates it). False when another run wrote one meanwhile: the caller then
 * writes no marker, so the next pass builds again. The one owner of this step for the day, open-day and
 * open-hour tile refreshes.
 */
export async function putTilesAsSeen(
  store: ObjectStore,
  seen: SeenTiles,
  tiles: Iterable<readonly [key: string, body: Uint8Array]>,
): Promise<boolean> {
  try {
    for (const [key, body] of tiles) {
      const etag = seen.get(key);
      await store.put(key, body, etag ? { ifMatch: etag } : { ifNoneMatch: '*' });
    }
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    return false;
  }
  return true;
}

/**
 * Writes a tile build's new marker (create-only: its name says what the tiles were built from) as one JSON line,
 * then deletes the markers it replaces. The new one goes first: a kill in between leaves it beside an old one,
 * which the plans allow for (they match the new one; previousMarkers lists both at the next build).
 */
export async function replaceTileMarker(
  store: ObjectStore,
  marker: string,
  content: unknown,
  previousMarkers: readonly string[],
): Promise<void> {
  await putNewObject(store, marker, new TextEncoder().encode(`${JSON.stringify(content)}\n`));
  for (const old of previousMarkers) await store.delete(old);
}
