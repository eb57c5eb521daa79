import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { authenticateApiKey, type ApiKeyEntry, type ApiKeyScope } from '../../domain/api-keys.js';
import { HttpError } from './http-error.js';

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

/** The entry of the request's API key; HttpError 401 (missing or unknown key) or 403 (key lacks the scope). */
export function resolveApiKey(
  req: IncomingMessage,
  keys: readonly ApiKeyEntry[],
  scope: ApiKeyScope,
): ApiKeyEntry {
  const key = presentedKey(req);
  if (!key)
    throw new HttpError(
      401,
      'UNAUTHENTICATED',
      'an API key is required (Authorization: Bearer <key> or X-API-Key)',
    );
  const entry = authenticateApiKey(keys, key);
  if (!entry) throw new HttpError(401, 'UNAUTHENTICATED', 'the API key is not valid');
  if (!entry.scopes.includes(scope)) {
    throw new HttpError(403, 'FORBIDDEN', `the API key '${entry.name}' does not have the '${scope}' scope`);
  }
  return entry;
}

/** Express middleware: resolves the API key to its tenant (res.locals.apiKey) or answers 401/403. */
export function buildAuthenticate(keys: () => readonly ApiKeyEntry[], scope: ApiKeyScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals['apiKey'] = resolveApiKey(req, keys(), scope);
    next();
  };
}
