import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { waitUntil } from '../../../testbin/harness/wait-until.js';
import type { TenantSettings } from '../../../crds/gravix-tenant-spec.js';
import { hashApiKey } from '../../domain/api-keys.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { PROPAGATION_MS, type TenantAuthor, type TenantTombstone } from '../../domain/tenant-changes.js';
import { renderTenantAuthors } from '../../../cdk8s/tenant-authors-file.js';
import { loadQueryConfig } from '../../query/config.js';
import { startQueryServer, type QueryServer } from '../../query/app/query-server.js';
import { AuditLog } from '../identity/audit-log.js';
import { LocalObjectStore } from '../object-store/local-object-store.js';
import { TenantAudit } from './tenant-audit.js';

const log = pino({ level: 'silent' });
const settings = (tenant: string, eventsPerSecond?: number): TenantSettings => ({
  tenant,
  quotas: eventsPerSecond === undefined ? {} : { eventsPerSecond },
  roles: { viewer: [], operator: [], admin: [] },
});
const hour = 3_600_000;

/** A query replica's view: the tenants its mounted file lists and the authors file beside it (written here). */
function replica(store: LocalObjectStore, dir: string, clock: () => number) {
  mkdirSync(dir, { recursive: true });
  let tenants: TenantSettings[] = [];
  const audit = new TenantAudit({
    store,
    audit: new AuditLog(store, log),
    log,
    tenants: () => tenants,
    tenantsFile: join(dir, 'tenants.yaml'),
    source: 'tenants-file',
    now: clock,
  });
  return {
    audit,
    /** What the kubelet does when the ConfigMap changes: both files at once. */
    see(
      next: TenantSettings[],
      authors: Record<string, TenantAuthor>,
      deleted: Record<string, TenantTombstone> = {},
    ) {
      tenants = next;
      writeFileSync(join(dir, 'tenant-authors.yaml'), renderTenantAuthors(authors, deleted));
    },
  };
}

describe('tenant changes in the audit log, recorded once across query replicas', () => {
  let store: LocalObjectStore;
  let now: number;
  let a: ReturnType<typeof replica>;
  let b: ReturnType<typeof replica>;
  const events = async (tenant: string) =>
    (await new AuditLog(store, log).read({ tenant, from: now - hour, to: now + hour })).events;

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-tenant-audit-'));
    store = new LocalObjectStore(join(dir, 'store'));
    now = Date.UTC(2026, 11, 3, 4, 0);
    a = replica(store, join(dir, 'a'), () => now);
    b = replica(store, join(dir, 'b'), () => now);
  });

  it('records a creation once with the GravixTenant’s field manager, however many replicas look how often', async () => {
    const authors = { acme: { uid: 'u1', generation: 1, actor: 'manager:kubectl-client-side-apply' } };
    a.see([settings('acme', 100)], authors);
    b.see([settings('acme', 100)], authors);
    const appended = await Promise.all([a.audit.check(), b.audit.check(), a.audit.check(), b.audit.check()]);
    for (let i = 0; i < 3; i++) await Promise.all([a.audit.check(), b.audit.check()]);
    expect(appended.reduce((x, y) => x + y, 0)).toBe(1);
    expect(await events('acme')).toEqual([
      {
        at: now,
        tenant: 'acme',
        actor: 'manager:kubectl-client-side-apply',
        action: 'tenant.change',
        target: 'acme',
        from: 'tenants-file',
        after: settings('acme', 100),
      },
    ]);
  });

  it('records a change with before and after once, and a replica still on the old file does not record it back', async () => {
    a.see([settings('acme', 100)], { acme: { uid: 'u1', generation: 1, actor: 'manager:helm' } });
    b.see([settings('acme', 100)], { acme: { uid: 'u1', generation: 1, actor: 'manager:helm' } });
    await a.audit.check();
    now += 1000;
    a.see([settings('acme', 250)], { acme: { uid: 'u1', generation: 2, actor: 'manager:argocd' } });
    await a.audit.check();
    // b's kubelet has not swapped the file yet: generation 1 is older than what was recorded.
    now += 1000;
    await b.audit.check();
    b.see([settings('acme', 250)], { acme: { uid: 'u1', generation: 2, actor: 'manager:argocd' } });
    await b.audit.check();
    const recorded = await events('acme');
    expect(recorded.map((e) => [e.actor, e.before, e.after])).toEqual([
      ['manager:helm', undefined, settings('acme', 100)],
      ['manager:argocd', settings('acme', 100), settings('acme', 250)],
    ]);
  });

  it('records a deletion once propagation had time, and a lagging replica neither deletes early nor revives it', async () => {
    const authors = { acme: { uid: 'u1', generation: 1, actor: 'manager:kubectl' } };
    a.see([settings('acme')], authors);
    await a.audit.check();
    // b has not got the file listing acme yet: not a deletion.
    now += 5000;
    await b.audit.check();
    expect(await events('acme')).toHaveLength(1);
    b.see([settings('acme')], authors);
    a.see([], {});
    now += PROPAGATION_MS;
    await a.audit.check();
    // b still lists the deleted object.
    await b.audit.check();
    const recorded = await events('acme');
    expect(recorded.map((e) => [e.actor, e.before, e.after])).toEqual([
      ['manager:kubectl', undefined, settings('acme')],
      ['unknown', settings('acme'), undefined],
    ]);
  });

  it('records a deletion the operator tombstoned at the first look, once across replicas, and a lagging replica does not revive it', async () => {
    const authors = { acme: { uid: 'u1', generation: 1, actor: 'manager:kubectl' } };
    a.see([settings('acme')], authors);
    b.see([settings('acme')], authors);
    await Promise.all([a.audit.check(), b.audit.check()]);
    // Seconds later the operator's new file reaches a (b still has the old one): acme's uid is tombstoned.
    now += 3000;
    a.see([], {}, { u1: { tenant: 'acme', at: now - 1000 } });
    const appended = await Promise.all([a.audit.check(), b.audit.check(), a.audit.check()]);
    expect(appended.reduce((x, y) => x + y, 0)).toBe(1);
    now += 1000;
    b.see([], {}, { u1: { tenant: 'acme', at: now - 2000 } });
    await Promise.all([a.audit.check(), b.audit.check()]);
    const recorded = await events('acme');
    expect(recorded.map((e) => [e.at - recorded[0]!.at, e.actor, e.before, e.after])).toEqual([
      [0, 'manager:kubectl', undefined, settings('acme')],
      [3000, 'unknown', settings('acme'), undefined],
    ]);
  });

  it('appends events a replica decided and then died before appending, when another replica looks', async () => {
    a.see([settings('acme')], { acme: { uid: 'u1', generation: 1, actor: 'manager:kubectl' } });
    // a's append fails after its decision was stored (the store refuses audit writes for a moment).
    const put = store.put.bind(store);
    store.put = (key, body, options) =>
      key.startsWith('audit/') ? Promise.reject(new Error('store down')) : put(key, body, options);
    await expect(a.audit.check()).rejects.toThrow('store down');
    store.put = put;
    expect(await events('acme')).toEqual([]);
    b.see([settings('acme')], { acme: { uid: 'u1', generation: 1, actor: 'manager:kubectl' } });
    expect(await b.audit.check()).toBe(1);
    expect(await a.audit.check()).toBe(0);
    expect(await events('acme')).toHaveLength(1);
  });
});

/** The embedded mode: one query server, its tenants file edited on disk, the changes read back through the API. */
describe('tenant changes of the embedded mode’s tenants file, through GET /api/v1/audit', () => {
  let query: QueryServer;
  let dir: string;
  const ADMIN = 'tenant-audit-admin';
  const writeTenants = (tenants: TenantSettings[]) => {
    // A new file renamed over the old one, as an editor saves it (a new inode: the reload sees it).
    writeFileSync(join(dir, 'tenants.yaml.new'), stringify({ tenants }));
    renameSync(join(dir, 'tenants.yaml.new'), join(dir, 'tenants.yaml'));
  };
  const start = async () => {
    query = await startQueryServer(
      loadQueryConfig({
        GRAVIX_DATA_DIR: dir,
        GRAVIX_API_KEYS_FILE: join(dir, 'api-keys.json'),
        GRAVIX_QUERY_HOST: '127.0.0.1',
        GRAVIX_QUERY_PORT: '0',
        GRAVIX_QUERY_METRICS_PORT: '0',
        GRAVIX_TENANTS_FILE: join(dir, 'tenants.yaml'),
        GRAVIX_TENANTS_AUDIT_MS: '200',
      }),
      new LocalObjectStore(join(dir, 'store')),
      log,
    );
  };
  const audit = async (): Promise<AuditEvent[]> => {
    const at = Date.now();
    const res = await fetch(
      `http://127.0.0.1:${query.port}/api/v1/audit?from=${at - hour}&to=${at + 60_000}`,
      { headers: { authorization: `Bearer ${ADMIN}` } },
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: AuditEvent[] }).events.filter(
      (e) => e.action === 'tenant.change',
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gx-tenant-audit-dev-'));
    writeFileSync(
      join(dir, 'api-keys.json'),
      JSON.stringify({
        keys: [{ name: 'root', tenant: 'acme', sha256: hashApiKey(ADMIN), scopes: ['query', 'admin'] }],
      }),
    );
    writeTenants([settings('acme', 10)]);
    await start();
  }, 60_000);

  afterAll(() => query?.stop());

  it('records the file’s tenants, a change with before and after, and a deletion, each once, also across a restart', async () => {
    await waitUntil(async () => (await audit()).length === 1, { what: 'acme created', timeoutMs: 20_000 });
    writeTenants([settings('acme', 20), settings('other')]);
    await waitUntil(async () => (await audit()).length === 2, { what: 'acme changed', timeoutMs: 20_000 });
    writeTenants([settings('other')]);
    await waitUntil(async () => (await audit()).length === 3, { what: 'acme deleted', timeoutMs: 20_000 });
    await query.stop();
    await start();
    // Several looks later, and after a restart that reads the same file: nothing recorded twice.
    await new Promise((r) => setTimeout(r, 1500));
    const events = await audit();
    expect(events.map((e) => [e.actor, e.from, e.before, e.after])).toEqual([
      ['unknown', 'tenants-file', undefined, settings('acme', 10)],
      ['unknown', 'tenants-file', settings('acme', 10), settings('acme', 20)],
      ['unknown', 'tenants-file', settings('acme', 20), undefined],
    ]);
  }, 90_000);
});
