import { z } from 'zod';
import { roles, type Role } from './access-scopes.js';

/**
 * Which OIDC groups give which role in which tenant (docs/security.md, "Sign-in for people"). The one owner of this
 * shape: the query server's `GRAVIX_OIDC_ROLES_FILE` is parsed with it, and a GravixTenant's groups will be too.
 */
const groupList = z.array(z.string().min(1).max(256)).max(100).default([]);

export const tenantGroupsSchema = z.strictObject({
  tenant: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 of a-z 0-9 - starting with a letter or digit'),
  groups: z.strictObject({ viewer: groupList, operator: groupList, admin: groupList }),
});
export type TenantGroups = z.infer<typeof tenantGroupsSchema>;

export const oidcRolesSchema = z
  .strictObject({ tenants: z.array(tenantGroupsSchema).min(1).max(1000) })
  .refine((f) => new Set(f.tenants.map((t) => t.tenant)).size === f.tenants.length, {
    message: 'each tenant may appear once',
    path: ['tenants'],
  });
export type OidcRoles = z.infer<typeof oidcRolesSchema>;

export type RoleRefusal = 'NO_ROLE' | 'UNKNOWN_TENANT';
export type RoleResolution = { tenant: string; role: Role } | { refused: RoleRefusal };

/** Highest first: a person in both the viewer and the admin group of a tenant is its admin. */
const ladder = [...roles].reverse();

function roleIn(entry: TenantGroups, groups: ReadonlySet<string>): Role | undefined {
  return ladder.find((role) => entry.groups[role].some((g) => groups.has(g)));
}

/**
 * The tenant and role a person signs in with: the tenant they asked for, or else the first tenant of the file in
 * which one of their groups holds a role; the highest role their groups give there. Pure: the claims are data.
 */
export function resolveRole(
  mapping: OidcRoles,
  groups: readonly string[],
  wantedTenant?: string,
): RoleResolution {
  const held = new Set(groups);
  if (wantedTenant !== undefined) {
    const entry = mapping.tenants.find((t) => t.tenant === wantedTenant);
    if (!entry) return { refused: 'UNKNOWN_TENANT' };
    const role = roleIn(entry, held);
    return role ? { tenant: entry.tenant, role } : { refused: 'NO_ROLE' };
  }
  for (const entry of mapping.tenants) {
    const role = roleIn(entry, held);
    if (role) return { tenant: entry.tenant, role };
  }
  return { refused: 'NO_ROLE' };
}

/** The groups claim of an ID token: a list of strings, a single string, or absent (no groups at all). */
export function groupsOfClaims(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/** A tenant's groups per role as a tenants file or GravixTenant gives them (crds/gravix-tenant-spec.ts). */
export interface TenantRoleGroups {
  tenant: string;
  roles: TenantGroups['groups'];
}

/**
 * The roles file's tenants with the tenants file's groups added: a tenant in both gets the union of each role's
 * groups, a tenant only in the tenants file is appended when it names any group. Pure; the roles file may be absent.
 */
export function mergeTenantRoles(
  file: OidcRoles | undefined,
  tenants: readonly TenantRoleGroups[],
): OidcRoles {
  const merged = new Map((file?.tenants ?? []).map((t) => [t.tenant, structuredClone(t)]));
  for (const { tenant, roles: groups } of tenants) {
    if (!merged.has(tenant) && roles.every((r) => groups[r].length === 0)) continue;
    const entry = merged.get(tenant) ?? { tenant, groups: { viewer: [], operator: [], admin: [] } };
    for (const role of roles) entry.groups[role] = [...new Set([...entry.groups[role], ...groups[role]])];
    merged.set(tenant, entry);
  }
  return { tenants: [...merged.values()] };
}
