import { authenticateApiKey, hashApiKey, parseApiKeys } from './api-keys.js';

describe('API keys', () => {
  const file = JSON.stringify({
    keys: [
      { name: 'ci', tenant: 'acme', sha256: hashApiKey('secret-1') },
      { name: 'reader', tenant: 'acme', sha256: hashApiKey('secret-2'), scopes: ['query'] },
    ],
  });

  it('maps a presented key to its tenant and scopes, and an unknown key to nothing', () => {
    const entries = parseApiKeys(file);
    expect(authenticateApiKey(entries, 'secret-1')).toMatchObject({
      tenant: 'acme',
      scopes: ['ingest', 'query'],
    });
    expect(authenticateApiKey(entries, 'secret-2')).toMatchObject({ name: 'reader', scopes: ['query'] });
    expect(authenticateApiKey(entries, 'nope')).toBeUndefined();
  });

  it('reports every invalid entry of the file at once', () => {
    const bad = JSON.stringify({ keys: [{ name: 'x', tenant: 'Bad Tenant', sha256: 'abc' }] });
    expect(() => parseApiKeys(bad)).toThrow(
      'API keys file is invalid: keys.0.tenant: must match ^[a-z0-9][a-z0-9-]{0,62}$; keys.0.sha256: must be 64 lowercase hex characters',
    );
  });
});
