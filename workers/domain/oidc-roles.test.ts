import fc from 'fast-check';
import { roles } from './access-scopes.js';
import {
  groupsOfClaims,
  mergeTenantRoles,
  oidcRolesSchema,
  resolveRole,
  type OidcRoles,
} from './oidc-roles.js';

const mapping: OidcRoles = oidcRolesSchema.parse({
  tenants: [
    { tenant: 'acme', groups: { viewer: ['acme-devs'], operator: ['sre'], admin: ['acme-admins'] } },
    { tenant: 'globex', groups: { viewer: ['sre'], admin: ['globex-admins'] } },
  ],
});

describe('resolveRole', () => {
  it('gives the highest role any of the groups holds in the first tenant that has one', () => {
    expect(resolveRole(mapping, ['acme-devs', 'acme-admins'])).toEqual({ tenant: 'acme', role: 'admin' });
    expect(resolveRole(mapping, ['globex-admins'])).toEqual({ tenant: 'globex', role: 'admin' });
  });

  it('signs in to the tenant asked for, with the role held there', () => {
    expect(resolveRole(mapping, ['sre'], 'globex')).toEqual({ tenant: 'globex', role: 'viewer' });
    expect(resolveRole(mapping, ['sre'], 'acme')).toEqual({ tenant: 'acme', role: 'operator' });
  });

  it('refuses groups that give no role, and a tenant nobody configured', () => {
    expect(resolveRole(mapping, ['strangers'])).toEqual({ refused: 'NO_ROLE' });
    expect(resolveRole(mapping, [])).toEqual({ refused: 'NO_ROLE' });
    expect(resolveRole(mapping, ['acme-admins'], 'globex')).toEqual({ refused: 'NO_ROLE' });
    expect(resolveRole(mapping, ['acme-admins'], 'initech')).toEqual({ refused: 'UNKNOWN_TENANT' });
  });

  it('never gives a role that none of the groups holds, and always the highest held (property)', () => {
    const group = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const entry = fc.record({ viewer: fc.array(group), operator: fc.array(group), admin: fc.array(group) });
    fc.assert(
      fc.property(entry, fc.array(group), (groups, held) => {
        const one = { tenants: [{ tenant: 't', groups }] };
        const got = resolveRole(one, held, 't');
        const holds = roles.filter((r) => groups[r].some((g) => held.includes(g)));
        if (holds.length === 0) return expect(got).toEqual({ refused: 'NO_ROLE' });
        expect(got).toEqual({ tenant: 't', role: holds[holds.length - 1] });
      }),
    );
  });
});

describe('oidcRolesSchema', () => {
  it('names a tenant listed twice and a bad tenant name', () => {
    const twice = oidcRolesSchema.safeParse({
      tenants: [
        { tenant: 'a', groups: {} },
        { tenant: 'a', groups: {} },
      ],
    });
    expect(twice.success ? [] : twice.error.issues.map((i) => i.message)).toEqual([
      'each tenant may appear once',
    ]);
    const bad = oidcRolesSchema.safeParse({ tenants: [{ tenant: 'A B', groups: {} }] });
    expect(bad.success ? [] : bad.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['tenants.0.tenant', 'must be 1-63 of a-z 0-9 - starting with a letter or digit'],
    ]);
  });
});

describe('groupsOfClaims', () => {
  it('reads a list, a single group, or nothing', () => {
    expect(groupsOfClaims({ groups: ['a', 1, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOfClaims({ roles: 'ops' }, 'roles')).toEqual(['ops']);
    expect(groupsOfClaims({}, 'groups')).toEqual([]);
  });
});

describe('mergeTenantRoles', () => {
  const none = { viewer: [], operator: [], admin: [] };
  it("adds a tenants file's groups to the roles file's, once each, and skips tenants that name no group", () => {
    const file = { tenants: [{ tenant: 'shop', groups: { ...none, viewer: ['devs'] } }] };
    expect(
      mergeTenantRoles(file, [
        { tenant: 'shop', roles: { ...none, viewer: ['devs', 'qa'], admin: ['leads'] } },
        { tenant: 'billing', roles: { ...none, operator: ['oncall'] } },
        { tenant: 'quiet', roles: none },
      ]),
    ).toEqual({
      tenants: [
        { tenant: 'shop', groups: { viewer: ['devs', 'qa'], operator: [], admin: ['leads'] } },
        { tenant: 'billing', groups: { viewer: [], operator: ['oncall'], admin: [] } },
      ],
    });
    expect(file.tenants[0]!.groups.viewer).toEqual(['devs']);
  });

  it('works without a roles file: the tenants file alone gives the roles', () => {
    const merged = mergeTenantRoles(undefined, [{ tenant: 'shop', roles: { ...none, admin: ['leads'] } }]);
    expect(resolveRole(merged, ['leads'])).toEqual({ tenant: 'shop', role: 'admin' });
  });
});
