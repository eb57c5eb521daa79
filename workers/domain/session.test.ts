import fc from 'fast-check';
import {
  decodeTransaction,
  encodeTransaction,
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
