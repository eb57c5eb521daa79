import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from './local-object-store.js';
import { describeObjectStoreContract } from './object-store.contract.js';

describeObjectStoreContract(
  'local filesystem',
  async () => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'gx-os-'))),
);

describe('LocalObjectStore', () => {
  it('leaves no temp or lock files behind after conditional puts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gx-os-'));
    const store = new LocalObjectStore(root);
    const first = await store.put('m/x', new Uint8Array([1]), { ifNoneMatch: '*' });
    await store.put('m/x', new Uint8Array([2]), { ifMatch: first.etag });
    await expect(store.put('m/x', new Uint8Array([3]), { ifNoneMatch: '*' })).rejects.toThrow(
      'already exists',
    );
    expect(readdirSync(join(root, 'm'))).toEqual(['x']);
  });
});
