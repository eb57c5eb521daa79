import { hashApiKey, parseApiKeys } from './api-keys.js';
import { KeyRing } from './key-ring.js';

describe('API keys', () => {
  const file = JSON.stringify({
    keys: [
      { name: 'ci', tenant: 'acme', sha256: hashApiKey('secret-1') },
      { name: 'reader', tenant: 'acme', sha256: hashApiKey('secret-2'), scopes: ['query'] },
      { name: 'root', tenant: 'acme', sha256: hashApiKey('secret-3'), scopes: ['admin'] },
    ],
  });

  it('maps a presented key to its tenant and scopes, and an unknown key to nothing', () => {
    const ring = new KeyRing(parseApiKeys(file));
    expect(ring.lookup('secret-1', 0)).toMatchObject({
      entry: { id: 'file:ci', tenant: 'acme', scopes: ['ingest', 'query'] },
    });
    expect(ring.lookup('secret-2', 0)).toMatchObject({ entry: { name: 'reader', scopes: ['query'] } });
    expect(ring.lookup('secret-3', 0)).toMatchObject({ entry: { name: 'root', scopes: ['admin'] } });
    expect(ring.lookup('nope', 0)).toEqual({ refused: 'unknown' });
  });

  it('refuses a key from the millisecond it expires or is revoked, and not before', () => {
    const base = { tenant: 'acme', scopes: ['ingest' as const] };
    const ring = new KeyRing([
      { ...base, name: 'old', sha256: hashApiKey('old'), expiresAt: 1000 },
      { ...base, name: 'gone', sha256: hashApiKey('gone'), revokedAt: 500 },
    ]);
    expect(ring.lookup('old', 999)).toMatchObject({ entry: { name: 'old' } });
    expect(ring.lookup('old', 1000)).toMatchObject({ refused: 'expired' });
    expect(ring.lookup('gone', 499)).toMatchObject({ entry: { name: 'gone' } });
    expect(ring.lookup('gone', 500)).toMatchObject({ refused: 'revoked' });
  });

  it('reports every invalid entry of the file at once', () => {
    const bad = JSON.stringify({ keys: [{ name: 'x', tenant: 'Bad Tenant', sha256: 'abc' }] });
    expect(() => parseApiKeys(bad)).toThrow(
      'API keys file is invalid: keys.0.tenant: must match ^[a-z0-9][a-z0-9-]{0,62}$; keys.0.sha256: must be 64 lowercase hex characters',
    );
  });
});
