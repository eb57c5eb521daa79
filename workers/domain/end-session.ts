/**
 * OpenID Connect RP-Initiated Logout 1.0: where to send the browser so the provider ends its own session too. The
 * endpoint comes from the provider's discovery (`end_session_endpoint`); `client_id` identifies Gravix, since the
 * sessions keep no ID token for `id_token_hint`, and `post_logout_redirect_uri` (registered with the provider)
 * brings the person back to the dashboard. Pure.
 */
export function buildEndSessionUrl(
  endSessionEndpoint: string,
  clientId: string,
  postLogoutRedirectUri: string,
): string {
  const url = new URL(endSessionEndpoint);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
  return url.href;
}

/** The dashboard's address a person lands on after signing out: the origin of the registered callback URL. */
export function postLogoutRedirectOf(redirectUrl: string): string {
  return `${new URL(redirectUrl).origin}/`;
}
