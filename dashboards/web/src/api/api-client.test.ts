import { buildQueryString, parseRevealed } from './api-client.js';
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

describe('parseRevealed (names stored before the edge refused format characters)', () => {
  it('writes out every bidi override and zero-width character in every string, keys and emoji untouched', () => {
    const body = JSON.stringify({
      services: [{ service: 'admin\u202Enimda', requests: 3 }, { service: 'check\u200Bout' }],
      routes: { '/a\uFEFF': ['GET\u2066', '👩\u200D💻'] },
    });
    expect(parseRevealed(body)).toEqual({
      services: [{ service: 'admin⟨U+202E⟩nimda', requests: 3 }, { service: 'check⟨U+200B⟩out' }],
      routes: { '/a\uFEFF': ['GET⟨U+2066⟩', '👩\u200D💻'] },
    });
  });

  it('answers null for a body that is not JSON, as response.json() failing did', () => {
    expect(parseRevealed('<html>')).toBeNull();
    expect(parseRevealed('')).toBeNull();
  });
});
