import type { NextFunction, Request, Response } from 'express';
import { authenticateApiKey, type ApiKeyEntry, type ApiKeyScope } from '../../domain/api-keys.js';
import { HttpError } from './http-error.js';

function presentedKey(req: Request): string | undefined {
  const auth = req.header('authorization');
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!match) throw new HttpError(401, 'UNAUTHENTICATED', "Authorization header must be 'Bearer <key>'");
    return match[1];
  }
  return req.header('x-api-key') ?? undefined;
}

/** Resolves the API key to its tenant (res.locals.apiKey) or answers 401/403. */
export function buildAuthenticate(keys: () => readonly ApiKeyEntry[], scope: ApiKeyScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = presentedKey(req);
    if (!key)
      throw new HttpError(
        401,
        'UNAUTHENTICATED',
        'an API key is required (Authorization: Bearer <key> or X-API-Key)',
      );
    const entry = authenticateApiKey(keys(), key);
    if (!entry) throw new HttpError(401, 'UNAUTHENTICATED', 'the API key is not valid');
    if (!entry.scopes.includes(scope)) {
      throw new HttpError(403, 'FORBIDDEN', `the API key '${entry.name}' does not have the '${scope}' scope`);
    }
    res.locals['apiKey'] = entry;
    next();
  };
}
