import fc from 'fast-check';
import {
  decodeTransaction,
  encodeTransaction,
  isReturnPath,
  maxReturnPathLength,
  parseCookieHeader,
  serializeCookie,
  sessionCookieName,
  type SignInTransaction,
} from './session.js';

const token = 'A'.repeat(43);
const transaction: SignInTransaction = {
  state: token,
  nonce: token,
  verifier: token,
  startedAt: 1,
  tenant: 'acme',
};

describe('session cookies', () => {
  it('are HttpOnly always and Secure with the __Host- prefix under TLS', () => {
    const options = { maxAgeSeconds: 60, sameSite: 'Strict', path: '/' } as const;
    expect(serializeCookie(sessionCookieName(true), 'v', { ...options, secure: true })).toBe(
      '__Host-gravix_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure',
    );
    expect(serializeCookie(sessionCookieName(false), 'v', { ...options, secure: false })).toBe(
      'gravix_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict',
    );
  });

  it('reads a Cookie header, first of a repeated name winning', () => {
    const cookies = parseCookieHeader('a=1; gravix_session=first; junk; gravix_session=second; b= 2 ');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['gravix_session', 'first'],
      ['b', '2'],
    ]);
    expect(parseCookieHeader(undefined).size).toBe(0);
  });
});

describe('the sign-in transaction cookie', () => {
  it('round-trips', () => {
    expect(decodeTransaction(encodeTransaction(transaction))).toEqual(transaction);
  });

  it('reads any tampered or foreign value as no transaction, never throwing (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (value) => {
        const got = decodeTransaction(value);
        if (got !== undefined) expect(got.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
    const tampered = Buffer.from(JSON.stringify({ ...transaction, state: 'short' })).toString('base64url');
    expect(decodeTransaction(tampered)).toBeUndefined();
    expect(decodeTransaction(undefined)).toBeUndefined();
  });
});

describe('the path a sign-in returns to', () => {
  it('is a path of this origin with its query and fragment', () => {
    for (const path of ['/', '/?service=checkout&path=%2Fpay&range=6h#alerts', '/#admin', '/a/b?c=%5C'])
      expect([path, isReturnPath(path)]).toEqual([path, true]);
  });

  it('is never anything a browser could read as another host or a script', () => {
    const away = [
      '//evil.example',
      '/\\evil.example',
      '/\tevil',
      'https://evil.example/',
      'javascript:alert(1)',
      '',
    ];
    const stripped = ['/\t/evil.example', '/\n/evil.example', '/ /x', '/\u00e9', '/\u007f'];
    for (const path of [...away, ...stripped, `/${'a'.repeat(maxReturnPathLength)}`])
      expect([path, isReturnPath(path)]).toEqual([path, false]);
  });

  it('rides in the transaction cookie, which refuses one a tampered cookie carries (property)', () => {
    const back = { ...transaction, returnTo: '/?service=checkout#alerts' };
    expect(decodeTransaction(encodeTransaction(back))).toEqual(back);
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (returnTo) => {
        const got = decodeTransaction(encodeTransaction({ ...transaction, returnTo }));
        expect(got?.returnTo).toBe(isReturnPath(returnTo) ? returnTo : undefined);
        if (got?.returnTo !== undefined)
          expect(new URL(got.returnTo, 'https://gravix.test').origin).toBe('https://gravix.test');
      }),
    );
  });
});
