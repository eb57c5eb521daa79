import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { grants, type CredentialScope, type Role, type RouteScope } from '../../domain/access-scopes.js';
import { keyUsageId } from '../../domain/api-keys.js';
import type { KeyAccess } from '../../domain/key-ring.js';
import { csrfHeader, safeMethods, type Session } from '../../domain/session.js';
import { HttpError } from './http-error.js';

/** Who is calling: what every authenticated handler and the audit log know of the caller. */
export interface Credential {
  tenant: string;
  /** `key:<name>` for an API key, `user:<email>` for a person's session; the audit log's "who". */
  actor: string;
  keyId: string;
  scopes: readonly CredentialScope[];
  /** A person's role, for a session (docs/adr/0076); keys have scopes only. */
  role?: Role;
}

/** People's sessions, as the query server keeps them (the ingest server takes keys only). */
export interface SessionAccess {
  /** The live session named by the request's cookie, or `{ stale: true }` when a cookie names none. */
  fromRequest(
    req: IncomingMessage,
    now: number,
  ): Promise<{ id: string; session: Session } | { stale: true } | undefined>;
}

/** Whether the request carries a key: a key wins over a cookie, so machines never need a CSRF token. */
const presentsKey = (req: IncomingMessage) =>
  req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;

function csrfMatches(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(presented), Buffer.from(expected));
}

/**
 * The caller behind a person's session: 403 `CSRF_TOKEN_INVALID` for a state-changing request without the session's
 * token (the cookie rides along on any request the browser makes, the header only on the dashboard's own), 403
 * `FORBIDDEN` for a route the role does not grant.
 */
export function sessionCredential(
  req: IncomingMessage,
  session: Session,
  needed: Exclude<RouteScope, 'public'>,
): Credential {
  if (!safeMethods.has(req.method ?? 'GET') && !csrfMatches(req.headers[csrfHeader], session.csrf))
    throw new HttpError(
      403,
      'CSRF_TOKEN_INVALID',
      `a signed-in request that changes something must carry the session's X-CSRF-Token header`,
    );
  if (!grants(session.scopes, needed))
    throw new HttpError(
      403,
      'FORBIDDEN',
      `${session.actor} (role ${session.role} in tenant ${session.tenant}) may not call this route: it needs '${needed}'`,
    );
  const { tenant, actor, scopes, role } = session;
  return { tenant, actor, keyId: 'session', scopes, role };
}

function presentedKey(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) throw new HttpError(401, 'UNAUTHENTICATED', "Authorization header must be 'Bearer <key>'");
    return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

const refusalMessage = {
  unknown: 'the API key is not valid',
  expired: 'the API key has expired',
  revoked: 'the API key has been revoked',
} as const;

/**
 * The caller of a route that needs `needed`; HttpError 401 (missing, unknown, expired or revoked key) or 403 (the
 * key's scopes do not grant the route). Public routes never reach here.
 */
export function resolveCredential(
  req: IncomingMessage,
  keys: KeyAccess,
  needed: Exclude<RouteScope, 'public'>,
  now = Date.now(),
): Credential {
  const presented = presentedKey(req);
  if (!presented)
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      'an API key is required (Authorization: Bearer <key> or X-API-Key)',
    );
  const found = keys.ring().lookup(presented, now);
  if ('refused' in found) throw new HttpError(401, 'UNAUTHENTICATED', refusalMessage[found.refused]);
  const { entry } = found;
  const keyId = entry.id ?? `file:${entry.name}`;
  if (!grants(entry.scopes, needed)) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `the API key '${entry.name}' (scopes ${entry.scopes.join(', ')}) may not call this route: it needs '${needed}'`,
    );
  }
  keys.used?.(keyUsageId(entry), now);
  return { tenant: entry.tenant, actor: `key:${entry.name}`, keyId, scopes: entry.scopes };
}

/**
 * Express middleware for one route: the caller goes to res.locals.credential (and a session to
 * res.locals.session), or the answer is 401/403. A request with a key is judged by the key alone; one without is
 * judged by its session cookie when the server keeps sessions.
 */
export function buildAuthenticate(keys: KeyAccess, needed: RouteScope, sessions?: SessionAccess) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (needed === 'public') return next();
    if (!sessions || presentsKey(req)) {
      res.locals['credential'] = resolveCredential(req, keys, needed);
      return next();
    }
    sessions.fromRequest(req, Date.now()).then((found) => {
      let failure: unknown;
      try {
        if (found && 'session' in found) {
          res.locals['credential'] = sessionCredential(req, found.session, needed);
          res.locals['session'] = found;
        } else if (found) {
          throw new HttpError(
            401,
            'UNAUTHENTICATED',
            'the session has expired or was signed out: sign in again',
          );
        } else res.locals['credential'] = resolveCredential(req, keys, needed);
      } catch (error) {
        failure = error;
      }
      if (failure === undefined) next();
      else next(failure);
    }, next);
  };
}

/** The caller resolved by buildAuthenticate. */
export const credentialOf = (res: Response): Credential => res.locals['credential'] as Credential;

/** The session behind the caller, when a person's session (not a key) authenticated the request. */
export const sessionOf = (res: Response): { id: string; session: Session } | undefined =>
  res.locals['session'] as { id: string; session: Session } | undefined;
