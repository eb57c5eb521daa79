import { z } from 'zod';
import { credentialScopes } from '../domain/access-scopes.js';

/**
 * `gravix keys ...` parsed into one API call: pure, so every bad argument is a usage error before anything is
 * sent. The command talks to the query server's key API (docs/openapi/gravix-api.yaml) with an admin key.
 */
export type KeysCall =
  | { verb: 'list'; method: 'GET'; path: '/api/v1/keys' }
  | { verb: 'create'; method: 'POST'; path: '/api/v1/keys'; body: Record<string, unknown> }
  | { verb: 'rotate'; method: 'POST'; path: string; body: Record<string, unknown> }
  | { verb: 'revoke'; method: 'DELETE'; path: string };

export class KeysUsageError extends Error {
  readonly code = 'USAGE';
}

const idPattern = /^gk_[0-9a-f]{16}$/;
const scopeList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(credentialScopes)).min(1));

export interface KeysOptions {
  name?: string;
  scopes?: string;
  'expires-in-days'?: string;
  overlap?: string;
}

function wholeNumber(value: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new KeysUsageError(`--${option} must be a whole number from ${min} to ${max}, got '${value}'`);
  return Number(value);
}

function keyId(positionals: readonly string[], verb: string): string {
  const id = positionals[1];
  if (!id || !idPattern.test(id))
    throw new KeysUsageError(`${verb} needs a key id (gk_ and 16 hex digits), got '${id ?? ''}'`);
  return id;
}

export function parseKeysCommand(
  positionals: readonly string[],
  options: KeysOptions,
  now: number,
): KeysCall {
  const verb = positionals[0];
  if (verb === 'list') return { verb, method: 'GET', path: '/api/v1/keys' };
  if (verb === 'create') {
    if (!options.name) throw new KeysUsageError('create needs --name');
    const scopes = scopeList.safeParse(options.scopes ?? '');
    if (!scopes.success)
      throw new KeysUsageError(
        `--scopes must be a comma-separated list of ${credentialScopes.join(', ')}, got '${options.scopes ?? ''}'`,
      );
    const days = options['expires-in-days'];
    const body: Record<string, unknown> = { name: options.name, scopes: scopes.data };
    if (days !== undefined)
      body['expiresAt'] = now + wholeNumber(days, 'expires-in-days', 1, 3650) * 86_400_000;
    return { verb, method: 'POST', path: '/api/v1/keys', body };
  }
  if (verb === 'rotate') {
    const id = keyId(positionals, verb);
    const body =
      options.overlap === undefined
        ? {}
        : { overlapSeconds: wholeNumber(options.overlap, 'overlap', 0, 2_592_000) };
    return { verb, method: 'POST', path: `/api/v1/keys/${id}/rotate`, body };
  }
  if (verb === 'revoke') return { verb, method: 'DELETE', path: `/api/v1/keys/${keyId(positionals, verb)}` };
  throw new KeysUsageError(`unknown action '${verb ?? ''}'; use list, create, rotate or revoke`);
}
