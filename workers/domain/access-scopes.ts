/**
 * Who may do what: the scopes a credential holds and the scope a route needs (docs/security.md, "Identity
 * model"). People hold a role; machines hold key scopes; both end up as a set of scopes.
 */

/** What a credential may hold. `query` is the viewer's scope: people with the viewer role hold exactly it. */
export const credentialScopes = ['ingest', 'query', 'operator', 'admin'] as const;
export type CredentialScope = (typeof credentialScopes)[number];

/** What a route may need: one credential scope, or nothing at all. */
export type RouteScope = CredentialScope | 'public';

export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];

/**
 * The role ladder: each role holds every right of the roles below it. `ingest` is outside the ladder on purpose:
 * an admin reads and configures a tenant but does not send its traffic, so a person's session cannot write facts.
 */
const impliedBy: Record<CredentialScope, readonly CredentialScope[]> = {
  ingest: ['ingest'],
  query: ['query', 'operator', 'admin'],
  operator: ['operator', 'admin'],
  admin: ['admin'],
};

/** The scopes a person with this role holds. */
export function scopesOfRole(role: Role): CredentialScope[] {
  if (role === 'viewer') return ['query'];
  if (role === 'operator') return ['query', 'operator'];
  return ['query', 'operator', 'admin'];
}

/** Whether a credential holding `held` may call a route that needs `needed`. */
export function grants(held: readonly CredentialScope[], needed: RouteScope): boolean {
  if (needed === 'public') return true;
  return impliedBy[needed].some((scope) => held.includes(scope));
}
