import { z } from 'zod';
import { credentialScopes, roles } from './access-scopes.js';

/**
 * A person's signed-in session (docs/adr/0076): stored server-side under the SHA-256 of its id, so the cookie is
 * the only place the id lives and a reader of the store cannot replay one. The CSRF token is a synchronizer token:
 * the dashboard reads it from `GET /api/v1/whoami` and sends it as `X-CSRF-Token` on every state-changing request.
 */
export const sessionSchema = z.strictObject({
  tenant: z.string(),
  /** `user:<email>` (or `user:<subject>` when the provider gave no email): the audit log's "who". */
  actor: z.string(),
  subject: z.string(),
  issuer: z.string(),
  role: z.enum(roles),
  scopes: z.array(z.enum(credentialScopes)),
  csrf: z.string().min(32),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type Session = z.infer<typeof sessionSchema>;

/** The session cookie's name: `__Host-` (Secure, path /, no Domain: a sibling host cannot plant one) under TLS. */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-gravix_session' : 'gravix_session');
/** The sign-in transaction's cookie (state, nonce, PKCE verifier) between /auth/login and /auth/callback. */
export const signInCookieName = 'gravix_signin';
export const csrfHeader = 'x-csrf-token';

export interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
  /**
   * Strict for the session (the dashboard's calls are same-origin); Lax for the sign-in transaction, which must
   * come back on the provider's cross-site redirect to the callback.
   */
  sameSite: 'Strict' | 'Lax';
  path: string;
}

/** A Set-Cookie value; always HttpOnly, so the page's scripts never see a session id. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The cookies of a Cookie header; the first of a repeated name wins, unparseable pairs are skipped. */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(at + 1).trim());
  }
  return cookies;
}

/** Session ids and CSRF tokens are 32 random bytes in base64url: anything else is not worth a store read. */
export const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** Methods that change nothing: no CSRF token needed. */
export const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The longest return path a sign-in carries: a dashboard link with every filter set is a few hundred characters. */
export const maxReturnPathLength = 512;

/**
 * Where a sign-in may send the person back to (`/api/v1/auth/login?return=`): a path on this origin, with its query
 * and fragment, in printable ASCII (what a browser's location gives, percent-encoded). Nothing a browser could read
 * as another host: `//host`, `/\host` (backslashes count as slashes), a scheme, or control characters that it
 * strips first (`/<TAB>/host`); an open redirect would lend the provider's sign-in page to phishing.
 */
export function isReturnPath(value: string): boolean {
  if (value.length > maxReturnPathLength || !value.startsWith('/') || value[1] === '/') return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return false;
  }
  return true;
}

/** The sign-in transaction carried in its cookie: what the callback checks the provider's answer against. */
export const signInTransactionSchema = z.strictObject({
  state: z.string().regex(tokenPattern),
  nonce: z.string().regex(tokenPattern),
  verifier: z.string().regex(tokenPattern),
  tenant: z.string().max(63).optional(),
  /** Where the callback sends the person once signed in (a path of this origin; `/` when absent). */
  returnTo: z.string().refine(isReturnPath).optional(),
  startedAt: z.number().int(),
});
export type SignInTransaction = z.infer<typeof signInTransactionSchema>;

export const encodeTransaction = (t: SignInTransaction) =>
  Buffer.from(JSON.stringify(t)).toString('base64url');

/** The transaction of a cookie value, or undefined for a missing, tampered or unreadable one. */
export function decodeTransaction(value: string | undefined): SignInTransaction | undefined {
  // Three tokens, a tenant and a return path: well under 2 KiB as base64url JSON.
  if (!value || value.length > 2048) return undefined;
  try {
    const parsed = signInTransactionSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString()));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
