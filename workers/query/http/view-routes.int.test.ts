import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../domain/api-keys.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { loadQueryConfig } from '../config.js';
import { startQueryServer, type QueryServer } from '../app/query-server.js';
import type { SavedView } from '../domain/saved-views-doc.js';

/**
 * Saved views through two real query servers over one store directory (two replicas): the API's answers, its
 * refusals, tenant isolation, and concurrent saves on both replicas, none of which may be lost.
 */
const keys = [
  { name: 'ops', tenant: 'acme', scopes: ['query', 'operator'] },
  { name: 'viewer', tenant: 'acme', scopes: ['query'] },
  { name: 'admin', tenant: 'acme', scopes: ['query', 'operator', 'admin'] },
  { name: 'other', tenant: 'globex', scopes: ['query', 'operator'] },
];
let replicas: QueryServer[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gx-views-'));
  const keysFile = join(dir, 'api-keys.json');
  const entries = keys.map((k) => ({ ...k, sha256: hashApiKey(`secret-${k.name}`) }));
  writeFileSync(keysFile, JSON.stringify({ keys: entries }));
  const env = {
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keysFile,
    GRAVIX_QUERY_HOST: '127.0.0.1',
    GRAVIX_QUERY_PORT: '0',
    GRAVIX_QUERY_METRICS_PORT: '0',
  };
  const start = () =>
    startQueryServer(
      loadQueryConfig(env),
      new LocalObjectStore(join(dir, 'store')),
      pino({ level: 'silent' }),
    );
  replicas = [await start(), await start()];
}, 60_000);

afterAll(async () => {
  for (const r of replicas) await r.stop();
});

async function call(
  who: string,
  method: string,
  path: string,
  body?: unknown,
  replica = 0,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${replicas[replica]!.port}/api/v1/${path}`, {
    method,
    headers: { authorization: `Bearer secret-${who}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>),
  };
}

const list = async (who: string, replica = 0) =>
  (await call(who, 'GET', 'views', undefined, replica)).body['views'] as SavedView[];
const checkout = { service: 'checkout', method: 'POST', path: '/api/v1/orders', range: '7d', compare: '7d' };

describe('saved views API (/api/v1/views) on real query servers', () => {
  it('lets an operator save, rename and delete a view that viewers list, each change audited', async () => {
    const created = await call('ops', 'POST', 'views', { name: ' Checkout orders ', view: checkout });
    expect(created.status).toBe(201);
    const view = created.body as unknown as SavedView;
    expect(view).toMatchObject({ name: 'Checkout orders', view: checkout, createdBy: 'key:ops' });
    expect(view.id).toMatch(/^sv_[0-9a-f]{16}$/);
    expect((await list('viewer', 1)).find((v) => v.id === view.id)).toEqual(view);

    const renamed = await call(
      'ops',
      'POST',
      `views/${view.id}/rename`,
      { name: 'Checkout, week over week' },
      1,
    );
    expect([renamed.status, renamed.body['name']]).toEqual([200, 'Checkout, week over week']);
    expect((await call('ops', 'DELETE', `views/${view.id}`)).status).toBe(204);
    expect((await list('viewer')).some((v) => v.id === view.id)).toBe(false);

    const now = Date.now();
    const audit = (await call('admin', 'GET', `audit?from=${now - 600_000}&to=${now + 60_000}`)).body
      .events as AuditEvent[];
    const changes = audit.filter((e) => e.action === 'view.change' && e.target === view.id);
    expect(changes.map((e) => [e.actor, e.before !== undefined, e.after !== undefined])).toEqual([
      ['key:ops', false, true],
      ['key:ops', true, true],
      ['key:ops', true, false],
    ]);
  });

  it('refuses a viewer who writes, bad bodies, a taken name and unknown ids with the API error body', async () => {
    const forbidden = await call('viewer', 'POST', 'views', { name: 'x', view: {} });
    expect([forbidden.status, (forbidden.body['error'] as { code: string }).code]).toEqual([
      403,
      'FORBIDDEN',
    ]);
    const cases: [unknown, number, Record<string, string>][] = [
      ['{"name":', 400, { code: 'MALFORMED_BODY' }],
      [{ name: 'x', view: { from: 10, to: 5 } }, 400, { code: 'INVALID_VIEW', field: 'view.to' }],
      [{ name: 'x', view: { path: '/a' } }, 400, { code: 'INVALID_VIEW', field: 'view.method' }],
      [{ name: '', view: {} }, 400, { code: 'INVALID_VIEW', field: 'name' }],
      [[], 400, { code: 'INVALID_VIEW', field: 'body' }],
    ];
    for (const [body, status, error] of cases) {
      const res = await call('ops', 'POST', 'views', body);
      expect({ body, status: res.status, error: res.body['error'] }).toEqual({
        body,
        status,
        error: expect.objectContaining(error),
      });
    }
    expect((await call('ops', 'POST', 'views', { name: 'Taken', view: {} })).status).toBe(201);
    const taken = await call('ops', 'POST', 'views', { name: 'TAKEN ', view: {} }, 1);
    expect([taken.status, taken.body['error']]).toEqual([
      409,
      expect.objectContaining({ code: 'VIEW_NAME_TAKEN', field: 'name' }),
    ]);
    for (const id of ['sv_0000000000000000', '..%2F..%2Fkeys', 'x'.repeat(300)]) {
      expect((await call('ops', 'DELETE', `views/${id}`)).status).toBe(404);
      expect((await call('ops', 'POST', `views/${id}/rename`, { name: 'n' })).status).toBe(404);
    }
  });

  it("keeps tenants apart: another tenant neither lists nor changes acme's views", async () => {
    const mine = (await call('ops', 'POST', 'views', { name: 'Private', view: { range: '24h' } })).body;
    expect((await list('other')).map((v) => v.name)).not.toContain('Private');
    expect((await call('other', 'DELETE', `views/${String(mine['id'])}`)).status).toBe(404);
    expect((await call('other', 'POST', 'views', { name: 'Private', view: {} })).status).toBe(201);
    expect((await list('ops')).filter((v) => v.name === 'Private')).toHaveLength(1);
  });

  it('loses no acknowledged save when operators save at once on both replicas', async () => {
    const saves = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        call('ops', 'POST', 'views', { name: `race ${i}`, view: { range: '1h' } }, i % 2),
      ),
    );
    expect(saves.map((s) => s.status)).toEqual(saves.map(() => 201));
    const names = (await list('viewer', 1)).map((v) => v.name);
    for (let i = 0; i < 24; i++) expect(names).toContain(`race ${i}`);
    // The same name saved twice at once: exactly one wins.
    const twins = await Promise.all(
      [0, 1].map((r) => call('ops', 'POST', 'views', { name: 'twin', view: {} }, r)),
    );
    expect(twins.map((t) => t.status).sort()).toEqual([201, 409]);
  });
});
