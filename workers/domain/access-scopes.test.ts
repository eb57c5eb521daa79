import fc from 'fast-check';
import { credentialScopes, grants, roles, scopesOfRole, type CredentialScope } from './access-scopes.js';

describe('grants', () => {
  it('lets every credential, and none, call a public route', () => {
    expect(grants([], 'public')).toBe(true);
    expect(grants(['ingest'], 'public')).toBe(true);
  });

  it('gives each role exactly the rights of the roles below it and its own', () => {
    const table = roles.map((role) =>
      [
        role,
        ...(['query', 'operator', 'admin', 'ingest'] as const).map((s) => grants(scopesOfRole(role), s)),
      ].join(' '),
    );
    expect(table).toEqual([
      'viewer true false false false',
      'operator true true false false',
      'admin true true true false',
    ]);
  });

  it('never lets an ingest-only key read, and never lets a key without ingest write', () => {
    expect(grants(['ingest'], 'query')).toBe(false);
    expect(grants(['query', 'operator', 'admin'], 'ingest')).toBe(false);
  });

  it('is monotone: holding more scopes never takes a right away', () => {
    const scopes = fc.subarray([...credentialScopes]);
    fc.assert(
      fc.property(scopes, scopes, fc.constantFrom(...credentialScopes), (a, b, needed) => {
        const union = [...new Set<CredentialScope>([...a, ...b])];
        return !grants(a, needed) || grants(union, needed);
      }),
    );
  });
});
