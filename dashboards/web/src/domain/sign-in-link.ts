/** As workers/domain/session.ts's maxReturnPathLength: a longer view is not carried through the sign-in. */
const maxReturnPathLength = 512;

/**
 * The provider's sign-in button's address: it carries the view the person opened (a shared link, an alert's
 * "Open dashboard") as `return`, so the sign-in comes back to it rather than to the overview. A failed sign-in's
 * fragment is not a view, and a view too long to carry signs in to the overview.
 */
export function signInHref(location: { pathname: string; search: string; hash: string }): string {
  const hash = location.hash.startsWith('#signin-error=') ? '' : location.hash;
  const view = `${location.pathname}${location.search}${hash}`;
  if (view === '/' || view.length > maxReturnPathLength) return '/api/v1/auth/login';
  return `/api/v1/auth/login?return=${encodeURIComponent(view)}`;
}
