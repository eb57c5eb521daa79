import type * as Oidc from 'openid-client';
import type { SignInTransaction } from '../../domain/session.js';
import { randomToken } from './session-store.js';
import { buildEndSessionUrl, postLogoutRedirectOf } from '../../domain/end-session.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /**
   * The client secret as it is now, asked at every token request (a rotated secret applies without a restart,
   * workers/adapters/identity/client-secret-file.ts); absent for a public client.
   */
  clientSecret?: () => string;
  /** The public URL of `/api/v1/auth/callback`, registered with the provider. */
  redirectUrl: string;
  scopes: string;
  /** Plain-HTTP issuers (a provider inside the cluster or on loopback); off unless configured. */
  allowHttp: boolean;
  timeoutMs: number;
}

/** The ID token's claims after the code exchange: every check (signature, iss, aud, nonce, expiry) passed. */
export type IdTokenClaims = Record<string, unknown> & { sub: string; iss: string };

/**
 * openid-client is loaded on the first sign-in, not with the query server: a server without OIDC (`gravix dev`, key
 * only deployments) never uses it, and it costs ~7 MiB of RSS (issue #18, docs/adr/0125).
 */
let oidcModule: Promise<typeof Oidc> | undefined;
const loadOidc = (): Promise<typeof Oidc> => (oidcModule ??= import('openid-client'));

export class OidcSignInError extends Error {
  readonly code = 'SIGN_IN_FAILED';
}

/**
 * The authorization code flow with PKCE against one OpenID provider, through openid-client. Discovery happens on
 * the first sign-in (a provider that is down when the server starts must not keep it from starting) and is retried
 * on the next sign-in after a failure.
 */
export class OidcProvider {
  private configuration: Promise<Oidc.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  /** A new transaction (for the sign-in cookie) and the provider URL to send the browser to. */
  async begin(
    tenant: string | undefined,
    now: number,
  ): Promise<{ url: URL; transaction: SignInTransaction }> {
    const config = await this.discovered();
    const oidc = await loadOidc();
    const transaction: SignInTransaction = {
      state: randomToken(),
      nonce: randomToken(),
      verifier: randomToken(),
      ...(tenant !== undefined && { tenant }),
      startedAt: now,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scopes,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /** Exchanges the callback's code for tokens and returns the verified ID token's claims. */
  async finish(callbackQuery: string, transaction: SignInTransaction): Promise<IdTokenClaims> {
    const config = await this.discovered();
    const oidc = await loadOidc();
    const current = new URL(this.settings.redirectUrl);
    current.search = callbackQuery;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new OidcSignInError('the provider returned no ID token');
      return claims as IdTokenClaims;
    } catch (error) {
      if (error instanceof OidcSignInError) throw error;
      throw new OidcSignInError(`the provider's answer was refused: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Where the browser goes so the provider signs the person out too, when its discovery advertises an
   * `end_session_endpoint` (Keycloak, Okta, Entra ID, Google does not, Dex does not); undefined otherwise, and
   * when discovery fails now: the local sign-out has happened either way.
   */
  async endSessionUrl(): Promise<string | undefined> {
    let endpoint: string | undefined;
    try {
      endpoint = (await this.discovered()).serverMetadata().end_session_endpoint;
    } catch {
      return undefined;
    }
    if (!endpoint) return undefined;
    return buildEndSessionUrl(
      endpoint,
      this.settings.clientId,
      postLogoutRedirectOf(this.settings.redirectUrl),
    );
  }

  /**
   * client_secret_post (what openid-client picks for a plain secret) with the secret read at each request, not
   * bound once into the discovered configuration; none for a public client.
   */
  private clientAuthentication(oidc: typeof Oidc): Oidc.ClientAuth | undefined {
    const secret = this.settings.clientSecret;
    if (!secret) return undefined;
    return (as, client, body, headers) => oidc.ClientSecretPost(secret())(as, client, body, headers);
  }

  private discovered(): Promise<Oidc.Configuration> {
    this.configuration ??= loadOidc()
      .then((oidc) =>
        oidc.discovery(
          new URL(this.settings.issuer),
          this.settings.clientId,
          undefined,
          this.clientAuthentication(oidc),
          {
            timeout: Math.ceil(this.settings.timeoutMs / 1000),
            ...(this.settings.allowHttp && { execute: [oidc.allowInsecureRequests] }),
          },
        ),
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new OidcSignInError(
          `discovery of ${this.settings.issuer} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      });
    return this.configuration;
  }
}
