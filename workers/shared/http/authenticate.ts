import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { grants, type CredentialScope, type RouteScope } from '../../domain/access-scopes.js';
import type { KeyAccess } from '../../domain/key-ring.js';
import { HttpError } from './http-error.js';

/** Who is calling: what every authenticated handler and the audit log know of the caller. */
export interface Credential {
  tenant: string;
  /** `key:<name>` for an API key; the audit log's "who". */
  actor: string;
  keyId: string;
  scopes: readonly CredentialScope[];
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
  keys.used?.(keyId, now);
  return { tenant: entry.tenant, actor: `key:${entry.name}`, keyId, scopes: entry.scopes };
}

/** Express middleware for one route: the caller goes to res.locals.credential, or the answer is 401/403. */
export function buildAuthenticate(keys: KeyAccess, needed: RouteScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (needed !== 'public') res.locals['credential'] = resolveCredential(req, keys, needed);
    next();
  };
}

/** The caller resolved by buildAuthenticate. */
export const credentialOf = (res: Response): Credential => res.locals['credential'] as Credential;
