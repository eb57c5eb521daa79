import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { scopesOfRole } from '../../domain/access-scopes.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { groupsOfClaims, resolveRole, type OidcRoles } from '../../domain/oidc-roles.js';
import {
  decodeTransaction,
  encodeTransaction,
  isReturnPath,
  maxReturnPathLength,
  parseCookieHeader,
  serializeCookie,
  sessionCookieName,
  signInCookieName,
  type Session,
  type SignInTransaction,
} from '../../domain/session.js';
import type { AuditLog } from '../../adapters/identity/audit-log.js';
import {
  OidcSignInError,
  type IdTokenClaims,
  type OidcProvider,
} from '../../adapters/identity/oidc-provider.js';
import { ObjectSessionStore, randomToken } from '../../adapters/identity/session-store.js';
import { sessionCredential, type SessionAccess } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import type { SignInThrottle } from '../../adapters/identity/store-sign-in-throttle.js';
import type { ThrottleSubject } from '../../domain/sign-in-throttle.js';
import { parseQueryString } from '../domain/parse-query-string.js';
import { QueryParamError, parseText } from '../domain/query-params.js';

/** What sign-in for people needs (docs/adr/0076); the query server builds it when GRAVIX_OIDC_ISSUER is set. */
export interface SignInDeps {
  provider: OidcProvider;
  roles: OidcRoles;
  /** The ID token claim that lists the person's groups. */
  groupsClaim: string;
  sessions: ObjectSessionStore;
  /** Cookies get Secure (and the session cookie the `__Host-` prefix) when the public URL is https. */
  secure: boolean;
  sessionTtlMs: number;
  audit: AuditLog;
  /** Failed sign-ins per source and per account (GRAVIX_SIGNIN_MAX_FAILURES_*); absent: no limit. */
  throttle?: SignInThrottle;
  log: Logger;
  now?: () => number;
}

/** How long a sign-in may take between leaving for the provider and coming back. */
const transactionTtlMs = 10 * 60_000;
const callbackPath = '/api/v1/auth';

/** Where a failed sign-in lands: the dashboard's sign-in view reads the code from the fragment (never sent on). */
const failedLanding = (code: string) => `/#signin-error=${code}`;

/** Sessions found through the request's cookie, for the route table's authentication. */
export function buildSessionAccess(deps: Pick<SignInDeps, 'sessions' | 'secure'>): SessionAccess {
  const name = sessionCookieName(deps.secure);
  return {
    async fromRequest(req, now) {
      const id = parseCookieHeader(req.headers.cookie).get(name);
      if (id === undefined) return undefined;
      const session = await deps.sessions.get(id, now);
      return session ? { id, session } : { stale: true };
    },
  };
}

const notConfigured = () =>
  new HttpError(
    404,
    'SIGN_IN_NOT_CONFIGURED',
    'sign-in with an OpenID provider is not configured on this server',
  );

const clientAddress = (req: Request) => req.socket.remoteAddress ?? 'unknown';

/** Who verified claims name: their email, else their subject. */
function actorOf(claims: IdTokenClaims): string {
  const email = typeof claims['email'] === 'string' ? claims['email'] : undefined;
  return `user:${email ?? claims.sub}`;
}

/** The session for verified claims (stored), or the refusal's code. */
async function admit(deps: SignInDeps, at: number, claims: IdTokenClaims, tenant: string | undefined) {
  const groups = groupsOfClaims(claims, deps.groupsClaim);
  const actor = actorOf(claims);
  const resolved = resolveRole(deps.roles, groups, tenant);
  if ('refused' in resolved) return { actor, groups, refused: resolved.refused };
  const session: Session = {
    tenant: resolved.tenant,
    actor,
    subject: claims.sub,
    issuer: claims.iss,
    role: resolved.role,
    scopes: scopesOfRole(resolved.role),
    csrf: randomToken(),
    createdAt: at,
    expiresAt: at + deps.sessionTtlMs,
  };
  return { actor, groups, session, id: await deps.sessions.create(session) };
}

/** Cookies and audit events, shared by the handlers. */
function buildContext(deps: SignInDeps) {
  const now = () => deps.now?.() ?? Date.now();
  const sessionCookie = sessionCookieName(deps.secure);
  const clear = (name: string, path: string, sameSite: 'Strict' | 'Lax') =>
    serializeCookie(name, '', { maxAgeSeconds: 0, secure: deps.secure, sameSite, path });
  const audit = (req: Request, res: Response, event: Omit<AuditEvent, 'at' | 'from' | 'requestId'>) =>
    deps.audit.append({
      at: now(),
      from: clientAddress(req),
      requestId: res.locals['requestId'] as string,
      ...event,
    });
  /** A failed sign-in has no tenant of its own: it is filed under the one asked for, else the file's first. */
  const failureTenant = (asked: string | undefined) =>
    deps.roles.tenants.find((t) => t.tenant === asked)?.tenant ?? deps.roles.tenants[0]?.tenant ?? 'default';

  return { now, sessionCookie, clear, audit, failureTenant };
}

type Context = ReturnType<typeof buildContext>;

/** 429 before the provider is even asked: this address failed too many sign-ins lately. */
async function refuseThrottledSource(deps: SignInDeps, req: Request, now: number): Promise<void> {
  const retryAfterSeconds = await deps.throttle?.retryAfterSeconds({ source: clientAddress(req) }, now);
  if (retryAfterSeconds === undefined) return;
  throw new HttpError(
    429,
    'SIGN_IN_THROTTLED',
    `too many failed sign-ins from ${clientAddress(req)}; try again in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

function buildLogin(deps: SignInDeps, { now }: Context): RequestHandler {
  return async (req, res) => {
    await refuseThrottledSource(deps, req, now());
    const q = parseQueryString(req.originalUrl.split('?')[1] ?? '', `${callbackPath}/login`, [
      'tenant',
      'return',
    ]);
    const tenant = parseText(q, 'tenant', 63);
    const returnTo = parseReturnTo(q);
    const begun = await deps.provider.begin(tenant, now());
    const transaction = { ...begun.transaction, ...(returnTo !== undefined && { returnTo }) };
    res.setHeader(
      'Set-Cookie',
      serializeCookie(signInCookieName, encodeTransaction(transaction), {
        maxAgeSeconds: transactionTtlMs / 1000,
        secure: deps.secure,
        sameSite: 'Lax',
        path: callbackPath,
      }),
    );
    res.setHeader('Cache-Control', 'no-store').redirect(302, begun.url.href);
  };
}

/** `return`: the view a person opened before signing in (a shared link, an alert's "Open dashboard"). */
function parseReturnTo(q: Record<string, unknown>): string | undefined {
  const returnTo = parseText(q, 'return', maxReturnPathLength);
  if (returnTo === undefined || isReturnPath(returnTo)) return returnTo;
  throw new QueryParamError(
    'return',
    `return must be a path on this server: one leading /, printable ASCII without \\, got '${returnTo.slice(0, 40)}'`,
  );
}

type Verified = { claims: IdTokenClaims } | { code: string; reason: string; actor?: string };

/**
 * The callback's checks up to verified claims: the source's and then the account's failed sign-ins, the sign-in's
 * age, the provider's answer and the token exchange. A refusal names its code, its reason and, once known, who.
 * Each throttle check also counts the attempt as a failure (one conditional put: attempts in flight count, so a
 * burst cannot pass the limit), taken back by the caller when the sign-in succeeds or is refused for throttling.
 */
async function verifyCallback(
  deps: SignInDeps,
  query: string,
  transaction: SignInTransaction,
  source: string,
  now: number,
): Promise<Verified> {
  const sourceWait = await deps.throttle?.attempt({ source }, now);
  if (sourceWait !== undefined)
    return {
      code: 'SIGN_IN_THROTTLED',
      reason: `too many failed sign-ins from ${source}; ${sourceWait} s to wait`,
    };
  if (now - transaction.startedAt > transactionTtlMs)
    return { code: 'SIGN_IN_EXPIRED', reason: 'the sign-in took longer than 10 minutes' };
  const providerError = new URLSearchParams(query).get('error');
  if (providerError !== null)
    return { code: 'PROVIDER_REFUSED', reason: `the provider answered error=${providerError.slice(0, 100)}` };
  let claims: IdTokenClaims;
  try {
    claims = await deps.provider.finish(query, transaction);
  } catch (error) {
    if (!(error instanceof OidcSignInError)) throw error;
    return { code: 'SIGN_IN_FAILED', reason: error.message.slice(0, 500) };
  }
  const actor = actorOf(claims);
  const accountWait = await deps.throttle?.attempt({ account: actor }, now);
  if (accountWait !== undefined)
    return {
      code: 'SIGN_IN_THROTTLED',
      reason: `too many failed sign-ins of this account; ${accountWait} s to wait`,
      actor,
    };
  return { claims };
}

function buildCallback(
  deps: SignInDeps,
  { now, sessionCookie, clear, audit, failureTenant }: Context,
): RequestHandler {
  return async (req, res) => {
    const query = req.originalUrl.split('?')[1] ?? '';
    const transaction = decodeTransaction(parseCookieHeader(req.headers.cookie).get(signInCookieName));
    res.setHeader('Cache-Control', 'no-store');
    // No transaction: nobody began a sign-in from this browser (a replay, a forged link, a scanner). Nothing to
    // record: refusing it costs an attacker nothing, and recording it would let anyone fill the audit log.
    if (!transaction) return void res.redirect(302, failedLanding('SIGN_IN_NOT_STARTED'));
    res.setHeader('Set-Cookie', clear(signInCookieName, callbackPath, 'Lax'));
    const tenant = failureTenant(transaction.tenant);
    const source = clientAddress(req);
    // The attempt was counted as a failure of the source (and, once known, of the account) when it was checked.
    const at = now();
    const forgive = (subjects: ThrottleSubject[]) =>
      deps.throttle
        ?.forgive(subjects, at)
        .catch((err: unknown) => deps.log.warn({ err }, 'sign-in attempt not taken back'));
    const fail = async (code: string, reason: string, actor = 'anonymous') => {
      // A refusal for throttling is not itself a failure: a person locked out is let in once the window passes.
      // The refused subject counted nothing; the source's attempt, counted before the account was, is taken back.
      if (code === 'SIGN_IN_THROTTLED' && actor !== 'anonymous') await forgive([{ source }]);
      await audit(req, res, { tenant, actor, action: 'signin.failed', reason: `${code}: ${reason}` });
      res.redirect(302, failedLanding(code));
    };
    const verified = await verifyCallback(deps, query, transaction, source, at);
    if ('code' in verified) return fail(verified.code, verified.reason, verified.actor);
    const { claims } = verified;
    const admitted = await admit(deps, now(), claims, transaction.tenant);
    if ('refused' in admitted)
      return fail(
        'NO_ROLE',
        `${admitted.refused === 'UNKNOWN_TENANT' ? `no tenant '${transaction.tenant}'` : 'no group gives a role'}` +
          ` (groups: ${admitted.groups.slice(0, 20).join(', ') || 'none'})`,
        admitted.actor,
      );
    const { session, id } = admitted;
    await forgive([{ source }, { account: session.actor }]);
    await audit(req, res, {
      tenant: session.tenant,
      actor: session.actor,
      action: 'signin',
      after: { role: session.role, expiresAt: session.expiresAt, groups: admitted.groups.slice(0, 50) },
    });
    res.setHeader('Set-Cookie', [
      clear(signInCookieName, callbackPath, 'Lax'),
      serializeCookie(sessionCookie, id, {
        maxAgeSeconds: Math.floor(deps.sessionTtlMs / 1000),
        secure: deps.secure,
        sameSite: 'Strict',
        path: '/',
      }),
    ]);
    res.redirect(302, transaction.returnTo ?? '/');
  };
}

function buildLogout(deps: SignInDeps, { now, sessionCookie, clear, audit }: Context): RequestHandler {
  return async (req, res) => {
    const id = parseCookieHeader(req.headers.cookie).get(sessionCookie);
    const session = id === undefined ? undefined : await deps.sessions.get(id, now());
    if (id !== undefined && session) {
      // Signing out changes state: a forged sign-out is refused like any other forged change.
      sessionCredential(req, session, 'query');
      await deps.sessions.delete(id, session, now());
      await audit(req, res, { tenant: session.tenant, actor: session.actor, action: 'signout' });
    }
    res.setHeader('Set-Cookie', clear(sessionCookie, '/', 'Strict'));
    // RP-initiated logout when the provider offers it: the page sends the browser there; else local only (204).
    const endSessionUrl = session ? await deps.provider.endSessionUrl() : undefined;
    if (endSessionUrl) res.status(200).json({ endSessionUrl });
    else res.status(204).end();
  };
}

function buildHandlers(deps: SignInDeps) {
  const context = buildContext(deps);
  return {
    login: buildLogin(deps, context),
    callback: buildCallback(deps, context),
    logout: buildLogout(deps, context),
  };
}

/** The sign-in routes; without sign-in configured each answers 404 `SIGN_IN_NOT_CONFIGURED`. */
export function buildSignInHandlers(deps: SignInDeps | undefined) {
  const handlers = deps ? buildHandlers(deps) : undefined;
  const wrap =
    (pick: (h: ReturnType<typeof buildHandlers>) => RequestHandler): RequestHandler =>
    (req, res, next) => {
      if (!handlers) return next(notConfigured());
      void Promise.resolve(pick(handlers)(req, res, next)).catch((error: unknown) =>
        next(
          error instanceof QueryParamError
            ? new HttpError(400, error.code, error.message, { field: error.field })
            : error instanceof OidcSignInError
              ? new HttpError(503, 'SIGN_IN_UNAVAILABLE', error.message, { retryAfterSeconds: 10 })
              : error,
        ),
      );
    };
  return {
    'GET /api/v1/auth/login': wrap((h) => h.login),
    'GET /api/v1/auth/callback': wrap((h) => h.callback),
    'POST /api/v1/auth/logout': wrap((h) => h.logout),
  } as const;
}
