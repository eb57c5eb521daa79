import { InvalidObjectKeyError, PreconditionFailedError, type ObjectStore } from './object-store.js';

const text = (value: string) => new TextEncoder().encode(value);
const decode = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

/**
 * The behaviour every ObjectStore adapter must have. `makeStore` is called once
 * per test and must return an empty store.
 */
export function describeObjectStoreContract(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('returns the exact bytes that were put, with the etag put returned', async () => {
      const body = new Uint8Array([0, 1, 2, 255, 10, 13]);
      const { etag } = await store.put('raw/tenant=a/seg-1.jsonl.gz', body);
      const got = await store.get('raw/tenant=a/seg-1.jsonl.gz');
      expect(got?.body).toEqual(body);
      expect(got?.etag).toBe(etag);
      expect(got?.size).toBe(6);
    });

    it('answers undefined for a key that does not exist', async () => {
      expect(await store.get('nope/missing')).toBeUndefined();
      expect(await store.head('nope/missing')).toBeUndefined();
    });

    it('replaces an object on an unconditional put', async () => {
      await store.put('k/v', text('one'));
      await store.put('k/v', text('two'));
      expect(decode((await store.get('k/v'))?.body)).toBe('two');
    });

    it('refuses a create-if-absent put on an existing key and keeps the first body', async () => {
      await store.put('manifests/p1.json', text('first'), { ifNoneMatch: '*' });
      await expect(
        store.put('manifests/p1.json', text('second'), { ifNoneMatch: '*' }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(decode((await store.get('manifests/p1.json'))?.body)).toBe('first');
    });

    it('refuses a create-if-absent put even when the body is identical (callers compare contents themselves)', async () => {
      await store.put('raw/tenant=a/s.jsonl.gz', text('same'), { ifNoneMatch: '*' });
      await expect(
        store.put('raw/tenant=a/s.jsonl.gz', text('same'), { ifNoneMatch: '*' }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
    });

    it('lets exactly one of several concurrent create-if-absent puts win', async () => {
      const attempts = await Promise.allSettled(
        ['a', 'b', 'c', 'd'].map((v) => store.put('race/manifest.json', text(v), { ifNoneMatch: '*' })),
      );
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      for (const r of rejected) expect(r.reason).toBeInstanceOf(PreconditionFailedError);
    });

    it('replaces only when ifMatch names the current etag', async () => {
      const first = await store.put('cas/m.json', text('v1'));
      const second = await store.put('cas/m.json', text('v2'), { ifMatch: first.etag });
      await expect(store.put('cas/m.json', text('v3'), { ifMatch: first.etag })).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await store.head('cas/m.json'))?.etag).toBe(second.etag);
      expect(decode((await store.get('cas/m.json'))?.body)).toBe('v2');
    });

    it('lists every key under a prefix in lexicographic order, and nothing outside it', async () => {
      for (const key of ['p/b/2', 'p/a/1', 'p/a/3', 'pp/x', 'q/1']) await store.put(key, text(key));
      expect((await store.list('p/')).map((o) => o.key)).toEqual(['p/a/1', 'p/a/3', 'p/b/2']);
      expect((await store.list('p/a/')).map((o) => o.key)).toEqual(['p/a/1', 'p/a/3']);
      expect((await store.list('')).map((o) => o.key)).toEqual(['p/a/1', 'p/a/3', 'p/b/2', 'pp/x', 'q/1']);
    });

    it('deletes a key, and deleting a missing key is not an error', async () => {
      await store.put('d/1', text('x'));
      await store.delete('d/1');
      await store.delete('d/1');
      expect(await store.get('d/1')).toBeUndefined();
    });

    it.each(['../escape', 'a/../../etc/passwd', '/abs', 'a//b', '.hidden/x', 'a/b c', ''])(
      'rejects the unsafe key %j with INVALID_OBJECT_KEY',
      async (key) => {
        await expect(store.put(key, text('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      },
    );
  });
}
