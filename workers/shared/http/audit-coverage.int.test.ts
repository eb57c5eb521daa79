import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../domain/api-keys.js';
import type { AuditAction, AuditEvent } from '../../domain/audit-event.js';
import { loadQueryConfig } from '../../query/config.js';
import { startQueryServer, type QueryServer } from '../../query/app/query-server.js';
import { routeTable } from './route-table.js';

/**
 * Every route of the route table that changes something writes an audit event (who, what, when, from where,
 * before/after) before it answers. The table is walked, so a new mutating route without an audit plan here fails.
 */
const ADMIN = 'audit-coverage-admin';
let query: QueryServer;
let base: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-audit-'));
  const keysFile = join(dir, 'api-keys.json');
  const scopes = ['query', 'operator', 'admin'];
  writeFileSync(
    keysFile,
    JSON.stringify({ keys: [{ name: 'root', tenant: 'acme', sha256: hashApiKey(ADMIN), scopes }] }),
  );
  const env = {
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keysFile,
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_QUERY_PORT: '0',
    GRAVIX_QUERY_METRICS_PORT: '0',
    GRAVIX_KEYS_RELOAD_MS: '100',
  };
  query = await startQueryServer(
    loadQueryConfig(env),
    new LocalObjectStore(join(dir, 'store')),
    pino({ level: 'silent' }),
  );
  base = `http://127.0.0.1:${query.port}`;
}, 60_000);

afterAll(() => query?.stop());

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

const newKey = async () =>
  ((await call('POST', '/api/v1/keys', { name: `k${Date.now()}`, scopes: ['ingest'] })).key as { id: string })
    .id;
const rule = { kind: 'silence', silence: {} };
const newSilence = async () =>
  (await call('POST', '/api/v1/alert-silences', { service: 's', expiresAt: Date.now() + 3_600_000 }))
    .id as string;

const newView = async (name: string) =>
  (await call('POST', '/api/v1/views', { name, view: { range: '7d' } })).id as string;

/** Each mutating route: how to call it (making what it needs first), the action and target it must audit. */
const plans: Record<
  string,
  () => Promise<{ action: AuditAction; target: string; before: boolean; after: boolean }>
> = {
  'POST /api/v1/keys': async () => {
    const id = (
      (await call('POST', '/api/v1/keys', { name: 'audited', scopes: ['query'] })).key as { id: string }
    ).id;
    return { action: 'key.create', target: id, before: false, after: true };
  },
  'POST /api/v1/keys/{id}/rotate': async () => {
    const id = await newKey();
    await call('POST', `/api/v1/keys/${id}/rotate`, { overlapSeconds: 60 });
    return { action: 'key.rotate', target: id, before: true, after: true };
  },
  'DELETE /api/v1/keys/{id}': async () => {
    const id = await newKey();
    await call('DELETE', `/api/v1/keys/${id}`);
    return { action: 'key.revoke', target: id, before: true, after: true };
  },
  'PUT /api/v1/alert-rules/{name}': async () => {
    await call('PUT', '/api/v1/alert-rules/audited-rule', rule);
    return { action: 'rule.change', target: 'audited-rule', before: false, after: true };
  },
  'DELETE /api/v1/alert-rules/{name}': async () => {
    await call('PUT', '/api/v1/alert-rules/doomed-rule', rule);
    await call('DELETE', '/api/v1/alert-rules/doomed-rule');
    return { action: 'rule.change', target: 'doomed-rule', before: true, after: false };
  },
  'POST /api/v1/alert-silences': async () => {
    const id = await newSilence();
    return { action: 'silence.change', target: id, before: false, after: true };
  },
  'POST /api/v1/views': async () => {
    const id = await newView('audited view');
    return { action: 'view.change', target: id, before: false, after: true };
  },
  'POST /api/v1/views/{id}/rename': async () => {
    const id = await newView('view to rename');
    await call('POST', `/api/v1/views/${id}/rename`, { name: 'renamed view' });
    return { action: 'view.change', target: id, before: true, after: true };
  },
  'DELETE /api/v1/views/{id}': async () => {
    const id = await newView('doomed view');
    await call('DELETE', `/api/v1/views/${id}`);
    return { action: 'view.change', target: id, before: true, after: false };
  },
  'DELETE /api/v1/alert-silences/{id}': async () => {
    const id = await newSilence();
    await call('DELETE', `/api/v1/alert-silences/${id}`);
    return { action: 'silence.change', target: id, before: true, after: false };
  },
};

/** Mutating routes that change no tenant setting, each with why. */
const exempt: Record<string, string> = {
  'POST /api/v1/auth/logout':
    'audited as signout when it ends a session (workers/query/sign-in/sign-in.int.test.ts)',
};

const mutating = routeTable
  .filter((r) => r.server === 'query' && r.method !== 'GET')
  .map((r) => `${r.method} ${r.path}`);

async function audit(): Promise<AuditEvent[]> {
  const now = Date.now();
  return (await call('GET', `/api/v1/audit?from=${now - 3_600_000}&to=${now + 60_000}`))
    .events as AuditEvent[];
}

describe('audit coverage of the route table', () => {
  it('has an audit plan or a stated exemption for every mutating route of the query server', () => {
    expect(mutating.filter((key) => !(key in plans) && !(key in exempt))).toEqual([]);
  });

  it.each(mutating.filter((key) => key in plans))(
    '%s appends who, what, when, from where and before/after',
    async (key) => {
      const started = Date.now();
      const expected = await plans[key]!();
      // The newest event on the target: a delete's plan made the object first, and that create is audited too.
      const event = (await audit())
        .filter((e) => e.action === expected.action && e.target === expected.target && e.at >= started - 1000)
        .at(-1);
      expect(event).toMatchObject({
        tenant: 'acme',
        actor: 'key:root',
        action: expected.action,
        target: expected.target,
      });
      expect(event?.from).toMatch(/127\.0\.0\.1/);
      expect(event?.requestId).toEqual(expect.any(String));
      expect([event?.before !== undefined, event?.after !== undefined]).toEqual([
        expected.before,
        expected.after,
      ]);
    },
  );
});
