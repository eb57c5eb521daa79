import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyNameTakenError, createKey } from '../../domain/managed-keys.js';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { ObjectKeyStore, generateKey } from './key-store.js';

describe('ObjectKeyStore', () => {
  it('lets exactly one of many admins on as many replicas create a name at once; the others are refused', async () => {
    const root = mkdtempSync(join(tmpdir(), 'key-store-'));
    // One store instance per replica over one directory: what two query pods on one bucket do.
    const replicas = Array.from({ length: 6 }, () => new ObjectKeyStore(new LocalObjectStore(root)));
    const outcomes = await Promise.allSettled(
      replicas.map((store, i) =>
        store.update((doc) =>
          createKey(
            doc,
            { tenant: 'acme', name: i % 2 === 0 ? 'ci' : 'CI', scopes: ['ingest'], actor: `key:admin-${i}` },
            generateKey(),
            1000,
          ),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.map((o) => (o.reason as Error).constructor)).toEqual(Array(5).fill(KeyNameTakenError));
    const { doc } = await replicas[0]!.read();
    expect(doc.keys.map((k) => k.name.toLowerCase())).toEqual(['ci']);
  });
});
