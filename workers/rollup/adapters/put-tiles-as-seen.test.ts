import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { loadSeenTiles, putTilesAsSeen, replaceTileMarker } from './put-tiles-as-seen.js';

const text = (value: string) => new TextEncoder().encode(value);
const read = async (store: LocalObjectStore, key: string) => {
  const object = await store.get(key);
  return object ? new TextDecoder().decode(object.body) : undefined;
};
const fresh = () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gravix-tiles-as-seen-')));
const [a, b] = ['metrics/tile_a/t=1/x.parquet', 'metrics/tile_b/t=1/x.parquet'];

describe('tiles written as seen before their inputs were read', () => {
  it('creates missing tiles and replaces the ones seen, so a rerun after late data succeeds', async () => {
    const store = fresh();
    await store.put(a, text('old a'));
    const seen = await loadSeenTiles(store, [a, b]);
    expect([...seen.keys()]).toEqual([a, b]);
    expect(seen.get(b)).toBeUndefined();

    const written = await putTilesAsSeen(store, seen, [
      [a, text('new a')],
      [b, text('new b')],
    ]);

    expect(written).toBe(true);
    expect([await read(store, a), await read(store, b)]).toEqual(['new a', 'new b']);
  });

  it('answers false and keeps the other run’s tile when one was written after it was seen', async () => {
    const store = fresh();
    await store.put(a, text('old a'));
    const seen = await loadSeenTiles(store, [a, b]);
    await store.put(a, text('another run'));

    const written = await putTilesAsSeen(store, seen, [
      [a, text('ours')],
      [b, text('ours')],
    ]);

    expect(written).toBe(false);
    expect(await read(store, a)).toBe('another run');
    // The puts stop at the first loss: the caller writes no marker and the next pass builds all again.
    expect(await read(store, b)).toBeUndefined();
  });

  it('answers false when another run created a tile that was missing when seen', async () => {
    const store = fresh();
    const seen = await loadSeenTiles(store, [a]);
    await store.put(a, text('another run'));

    expect(await putTilesAsSeen(store, seen, [[a, text('ours')]])).toBe(false);
    expect(await read(store, a)).toBe('another run');
  });
});

describe('a tile build’s marker', () => {
  it('is written as one JSON line and replaces the build’s previous markers', async () => {
    const store = fresh();
    const [old1, old2, marker] = ['m/t=1/old1', 'm/t=1/old2', 'm/t=1/new'];
    await store.put(old1, text('{}\n'));
    await store.put(old2, text('{}\n'));

    await replaceTileMarker(store, marker, { openHourMinutes: 12 }, [old1, old2]);

    expect(await read(store, marker)).toBe('{"openHourMinutes":12}\n');
    expect((await store.list('m/')).map((o) => o.key)).toEqual([marker]);
  });

  it('is rewritten by a rerun after a kill left it in place with the same content', async () => {
    const store = fresh();
    const marker = 'm/t=1/new';
    await replaceTileMarker(store, marker, { hours: 3, rows: 40 }, []);

    await expect(replaceTileMarker(store, marker, { hours: 3, rows: 40 }, [])).resolves.toBeUndefined();
    expect(await read(store, marker)).toBe('{"hours":3,"rows":40}\n');
  });
});
