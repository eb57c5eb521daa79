import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { credentialScopes } from '../../domain/access-scopes.js';
import type { ApiKeyEntry } from '../../domain/api-keys.js';
import { maxAuditRangeMs, type AuditAction, type AuditEvent } from '../../domain/audit-event.js';
import {
  KeyNameTakenError,
  KeyNotActiveError,
  KeyNotFoundError,
  createKey,
  keyIdPattern,
  listFileKeys,
  listKeys,
  maxOverlapMs,
  revokeKey,
  rotateKey,
  viewKey,
} from '../../domain/managed-keys.js';
import type { Logger } from 'pino';
import { AuditLog } from '../../adapters/identity/audit-log.js';
import { generateKey, ObjectKeyStore } from '../../adapters/identity/key-store.js';
import type { ObjectStore } from '../../adapters/object-store/object-store.js';
import { credentialOf, sessionOf } from '../../shared/http/authenticate.js';
import { HttpError } from '../../shared/http/http-error.js';
import { parseQueryString } from '../domain/parse-query-string.js';
import { QueryParamError, parseRange, parseText } from '../domain/query-params.js';

export interface IdentityDeps {
  keyStore: ObjectKeyStore;
  /**
   * The keys file's entries (GRAVIX_API_KEYS_FILE) as the file is when asked, listed beside the managed keys; never
   * changed here.
   */
  fileKeys?: () => Promise<readonly ApiKeyEntry[]>;
  /** Called after a key change is stored, so this server applies it at once (others within their reload). */
  keysChanged: () => Promise<void>;
  audit: AuditLog;
  /**
   * How long a key change waits before it is answered: every server's reload interval and then some, so a secret
   * the caller holds works on every replica, and a key revoked is refused everywhere, by the time the answer arrives.
   */
  settleMs?: number;
  now?: () => number;
}

/** Identity over one store: what the query server wires, and what harnesses that build the app alone pass. */
export function identityOverStore(
  store: ObjectStore,
  log: Logger,
  keysChanged: () => Promise<void> = async () => {},
): IdentityDeps {
  return { keyStore: new ObjectKeyStore(store), keysChanged, audit: new AuditLog(store, log) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const keyName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit',
  );
const createBody = z.strictObject({
  name: keyName,
  scopes: z.array(z.enum(credentialScopes)).min(1).max(credentialScopes.length),
  expiresAt: z.number().int().min(0).max(8.64e15).optional(),
});
const rotateBody = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(maxOverlapMs / 1000)
    .default(3600),
});

/** A body that breaks its schema as a 400 naming the first bad field. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field =
    issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '(body)');
  throw new HttpError(400, 'VALIDATION_FAILED', `${field}: ${issue.message}`, { field });
}

function keyIdOf(req: Request): string {
  const raw = req.params['id'];
  const id = typeof raw === 'string' ? raw : '';
  if (!keyIdPattern.test(id))
    throw new HttpError(
      400,
      'INVALID_VALUE',
      `key id '${id.slice(0, 40)}' must match ${keyIdPattern.source}`,
      {
        field: 'id',
      },
    );
  return id;
}

function toHttp(error: unknown): unknown {
  if (error instanceof KeyNotFoundError)
    return new HttpError(404, error.code, error.message, { field: 'id' });
  if (error instanceof KeyNotActiveError)
    return new HttpError(409, error.code, error.message, { field: 'id' });
  if (error instanceof KeyNameTakenError)
    return new HttpError(409, error.code, error.message, { field: 'name' });
  if (error instanceof QueryParamError)
    return new HttpError(400, error.code, error.message, { field: error.field });
  return error;
}

/** Wraps an async handler: errors to the error middleware, key errors as 404/409. */
const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) =>
    void fn(req, res).catch((error: unknown) => next(toHttp(error)));

/** What every identity handler shares: the clock, applying a key change, and recording it in the audit log. */
function buildContext(deps: IdentityDeps) {
  const now = () => deps.now?.() ?? Date.now();
  const applied = async () => {
    await deps.keysChanged();
    if (deps.settleMs) await sleep(deps.settleMs);
  };
  const record = (req: Request, res: Response, action: AuditAction, rest: Partial<AuditEvent>) => {
    const who = credentialOf(res);
    return deps.audit.append({
      at: now(),
      tenant: who.tenant,
      actor: who.actor,
      action,
      from: req.socket.remoteAddress ?? 'unknown',
      requestId: res.locals['requestId'] as string,
      ...rest,
    });
  };
  return { deps, now, applied, record };
}

type Context = ReturnType<typeof buildContext>;

function buildKeyHandlers({ deps, now, applied, record }: Context) {
  const list = handle(async (req, res) => {
    parseQueryString(req.originalUrl.split('?')[1] ?? '', '/api/v1/keys', []);
    const [{ doc }, usage, fileEntries] = await Promise.all([
      deps.keyStore.read(),
      deps.keyStore.readUsage(),
      deps.fileKeys?.() ?? [],
    ]);
    const { tenant } = credentialOf(res);
    const at = now();
    res.json({
      keys: listKeys(doc, tenant, usage, at),
      fileKeys: listFileKeys(fileEntries, tenant, usage, at),
    });
  });

  const create = handle(async (req, res) => {
    const input = parseBody(createBody, req.body);
    const { tenant, actor } = credentialOf(res);
    const fresh = generateKey();
    const at = now();
    if (input.expiresAt !== undefined && input.expiresAt <= at)
      throw new HttpError(400, 'INVALID_VALUE', 'expiresAt must be in the future', { field: 'expiresAt' });
    const fileKeyNames = ((await deps.fileKeys?.()) ?? [])
      .filter((k) => k.tenant === tenant)
      .map((k) => k.name);
    // The name check runs inside the conditional update: two admins creating one name at once on two replicas
    // cannot both pass it (the second re-reads the first's key and is refused).
    const { key } = await deps.keyStore.update((doc) =>
      createKey(doc, { ...input, tenant, actor, fileKeyNames }, fresh, at),
    );
    await record(req, res, 'key.create', { target: key.id, after: viewKey(key, undefined, at) });
    await applied();
    res.status(201).json({ key: viewKey(key, undefined, at), secret: fresh.secret });
  });

  const rotate = handle(async (req, res) => {
    const id = keyIdOf(req);
    const { overlapSeconds } = parseBody(rotateBody, req.body);
    const { tenant, actor } = credentialOf(res);
    const fresh = generateKey();
    const at = now();
    const result = await deps.keyStore.update((doc) =>
      rotateKey(doc, tenant, id, overlapSeconds * 1000, fresh, actor, at),
    );
    const after = viewKey(result.after, undefined, at);
    await record(req, res, 'key.rotate', {
      target: id,
      before: viewKey(result.before, undefined, at),
      after: { old: after, new: viewKey(result.successor, undefined, at) },
    });
    await applied();
    res
      .status(201)
      .json({ key: viewKey(result.successor, undefined, at), secret: fresh.secret, previous: after });
  });

  const revoke = handle(async (req, res) => {
    const id = keyIdOf(req);
    const at = now();
    const { before, after } = await deps.keyStore.update((doc) =>
      revokeKey(doc, credentialOf(res).tenant, id, at),
    );
    if (before !== after)
      await record(req, res, 'key.revoke', {
        target: id,
        before: viewKey(before, undefined, at),
        after: viewKey(after, undefined, at),
      });
    await applied();
    res.json({ key: viewKey(after, undefined, at) });
  });

  return { list, create, rotate, revoke };
}

function buildAuditHandler({ deps, now }: Context) {
  return handle(async (req, res) => {
    const q = parseQueryString(req.originalUrl.split('?')[1] ?? '', '/api/v1/audit', ['from', 'to', 'actor']);
    const { from, to } = parseRange(q, now());
    if (to - from > maxAuditRangeMs)
      throw new HttpError(
        400,
        'RANGE_TOO_LONG',
        `from..to may span at most ${maxAuditRangeMs / 86_400_000} days`,
        {
          field: 'from',
        },
      );
    const actor = parseText(q, 'actor', 200);
    res.json(await deps.audit.read({ tenant: credentialOf(res).tenant, from, to, ...(actor && { actor }) }));
  });
}

export function buildIdentityHandlers(deps: IdentityDeps) {
  const context = buildContext(deps);
  const { list, create, rotate, revoke } = buildKeyHandlers(context);
  const jsonBody = express.json({ limit: '16kb', strict: true });
  const whoami: RequestHandler = (_req, res) => {
    const { tenant, actor, scopes } = credentialOf(res);
    const session = sessionOf(res)?.session;
    // A person's page learns its CSRF token here (same-origin only: the answer is not readable cross-site).
    const signedIn = session && { role: session.role, csrfToken: session.csrf, expiresAt: session.expiresAt };
    res.setHeader('Cache-Control', 'no-store').json({ tenant, actor, scopes, ...signedIn });
  };

  return {
    'GET /api/v1/whoami': whoami,
    'GET /api/v1/keys': list,
    'POST /api/v1/keys': [jsonBody, create],
    'POST /api/v1/keys/{id}/rotate': [jsonBody, rotate],
    'DELETE /api/v1/keys/{id}': revoke,
    'GET /api/v1/audit': buildAuditHandler(context),
  } as const;
}
