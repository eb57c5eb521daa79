import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { managedKeysKey } from '../../domain/identity-layout.js';
import { ObjectStoreUnavailableError } from '../object-store/object-store.js';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { ObjectKeyStore } from './key-store.js';
import { fixedFileKeys } from './keys-file.js';
import { LiveKeys } from './live-keys.js';

/** The real local store, counting reads of the managed keys document. */
class CountedReads extends LocalObjectStore {
  documentReads = 0;
  override async get(key: string) {
    if (key === managedKeysKey) this.documentReads++;
    return super.get(key);
  }
}

const emptyDocument = new TextEncoder().encode(JSON.stringify({ version: 1, keys: [] }));

describe('LiveKeys', () => {
  it('reads the document only when its version changed, also while there is no document', async () => {
    const store = new CountedReads(mkdtempSync(join(tmpdir(), 'live-keys-')));
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const keys = await LiveKeys.start({
      fileKeys: fixedFileKeys([]),
      store: new ObjectKeyStore(store),
      reloadMs: 3_600_000,
      usageFlushMs: 3_600_000,
      instance: 'test',
      log,
    });
    try {
      for (let i = 0; i < 5; i++) await keys.reload();
      // A pipeline that never created a managed key used to re-read (and log) on every tick.
      expect(store.documentReads).toBe(1);
      expect(lines.filter((l) => l.includes('api keys reloaded'))).toHaveLength(1);

      await store.put(managedKeysKey, emptyDocument);
      await keys.reload();
      await keys.reload();
      expect(store.documentReads).toBe(2);

      await store.delete(managedKeysKey);
      await keys.reload();
      await keys.reload();
      expect(store.documentReads).toBe(3);
    } finally {
      await keys.stop();
    }
  });

  it('warns during a store outage and keeps the keys; a document that does not parse is an error', async () => {
    const store = new CountedReads(mkdtempSync(join(tmpdir(), 'live-keys-')));
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    let down = true;
    const head = store.head.bind(store);
    store.head = async (key: string) => {
      if (down) throw new ObjectStoreUnavailableError(`head '${key}': object store unavailable`);
      return head(key);
    };
    const keys = await LiveKeys.start({
      fileKeys: fixedFileKeys([]),
      store: new ObjectKeyStore(store),
      reloadMs: 3_600_000,
      usageFlushMs: 3_600_000,
      instance: 'test',
      log,
    });
    try {
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [40, 'api keys reload failed; the previous keys stay in force'],
      ]);
      down = false;
      await store.put(managedKeysKey, new TextEncoder().encode('{"version": 1, "keys": "not a list"}'));
      await keys.reload();
      expect(lines.map((l) => l.level)).toEqual([40, 50]);
    } finally {
      await keys.stop();
    }
  });
});
