import { buildQueryString } from './api-client.js';
import { TokenStore } from './token-store.js';

describe('buildQueryString', () => {
  it('encodes present parameters and leaves absent ones out', () => {
    expect(
      buildQueryString({ service: 'checkout', path: '/orders/:id', method: null, compare: undefined }),
    ).toBe('?service=checkout&path=%2Forders%2F%3Aid');
    expect(buildQueryString({ service: '' })).toBe('');
  });
});

describe('TokenStore', () => {
  it('keeps the token in storage and forgets it on clear', () => {
    const map = new Map<string, string>();
    const storage = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    const store = new TokenStore(storage);
    store.set('t1');
    expect(new TokenStore(storage).get()).toBe('t1');
    store.clear();
    expect(store.get()).toBeNull();
  });

  it('falls back to memory when storage throws', () => {
    const throwing = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    const store = new TokenStore(throwing);
    store.set('t2');
    expect(store.get()).toBe('t2');
  });
});
