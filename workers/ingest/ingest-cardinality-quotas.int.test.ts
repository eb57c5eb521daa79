import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../domain/api-keys.js';
import { parseRawSegmentKey } from '../domain/raw-partition.js';
import { overflowRoute, overflowService } from '../domain/request-vocabulary.js';
import { loadIngestConfig } from './config.js';
import { startIngestServer, type IngestServer } from './ingest-server.js';

/**
 * Issue #22: a tenant's distinct services and routes-per-service quotas hold across ingest replicas (docs/adr/0090).
 * Two real ingest servers (in-process, real HTTP, real WAL) share one store; what they wrote to the raw layer is
 * read back after both stopped. Counted per replica (before), each would have admitted the whole quota.
 */
const quota = { services: 10, routesPerService: 4 };
const beatMs = 300;
const keys = {
  shop: 'shop-key-0123456789',
  billing: 'billing-key-0123456789',
  ops: 'ops-key-0123456789',
};

let dir: string;
let store: LocalObjectStore;
const servers: { server: IngestServer; url: string }[] = [];

async function startReplica(name: string) {
  const env = {
    GRAVIX_DATA_DIR: join(dir, name),
    GRAVIX_API_KEYS_FILE: join(dir, 'keys.json'),
    GRAVIX_TENANTS_FILE: join(dir, 'tenants.yaml'),
    GRAVIX_INGESTER_ID: name,
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_QUOTA_BEAT_MS: String(beatMs),
    GRAVIX_SHUTDOWN_DEADLINE_MS: '30000',
  };
  const server = await startIngestServer(loadIngestConfig(env), store, pino({ level: 'silent' }));
  return { server, url: `http://127.0.0.1:${server.port}/api/v1/facts` };
}

let seq = 0;
/** One batch with a fact per (service, path) pair; every fact accepted (folding is not a refusal). */
async function send(url: string, tenant: keyof typeof keys, pairs: [string, string][], phase = 'e') {
  const facts = pairs.map(([service, path]) => ({
    event_id: `${phase}-${seq++}`,
    timestamp: Date.now(),
    service,
    method: 'GET',
    path,
    status_code: 200,
    latency_ms: 3,
  }));
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
    body: JSON.stringify(facts),
  });
  expect([res.status, ((await res.json()) as { accepted: number }).accepted]).toEqual([200, pairs.length]);
}

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${'abcdefghijklmnop'[i]}`);
const waitBeats = (n: number) => new Promise((r) => setTimeout(r, beatMs * n));

/** Every fact in the raw layer after both servers stopped (they upload their WAL on the way out). */
async function storedFacts() {
  const facts: { tenant: string; service: string; path: string; ingester: string; event_id: string }[] = [];
  for (const { key } of await store.list('raw/')) {
    const body = gunzipSync((await store.get(key))!.body).toString('utf8');
    const ingester = parseRawSegmentKey(key).file.split('-').slice(0, 2).join('-');
    for (const line of body.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { tenant: string; service: string; path: string; event_id: string };
      facts.push({ tenant: r.tenant, service: r.service, path: r.path, ingester, event_id: r.event_id });
    }
  }
  return facts;
}

/** The tenants file: shop's quotas fixed, ops's as given (rewritten by the re-read test). */
function writeTenants(ops: { services: number; routesPerService: number }) {
  writeFileSync(
    join(dir, 'tenants.yaml'),
    [
      'tenants:',
      '  - tenant: shop',
      `    quotas: { services: ${quota.services}, routesPerService: ${quota.routesPerService} }`,
      '  - tenant: billing',
      '  - tenant: ops',
      `    quotas: { services: ${ops.services}, routesPerService: ${ops.routesPerService} }`,
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gx-cardinality-quotas-'));
  store = new LocalObjectStore(join(dir, 'store'));
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({
      keys: [
        { name: 'shop', tenant: 'shop', sha256: hashApiKey(keys.shop), scopes: ['ingest'] },
        { name: 'billing', tenant: 'billing', sha256: hashApiKey(keys.billing), scopes: ['ingest'] },
        { name: 'ops', tenant: 'ops', sha256: hashApiKey(keys.ops), scopes: ['ingest'] },
      ],
    }),
  );
  writeTenants({ services: 3, routesPerService: 2 });
  servers.push(await startReplica('ingest-0'), await startReplica('ingest-1'));
  await waitBeats(3); // each has read the other's beat
}, 60_000);

afterAll(async () => {
  for (const { server } of servers) await server.stop().catch(() => undefined);
});

describe('distinct services and routes per service, shared by two ingest replicas', () => {
  it('keeps the tenant within its quotas across both replicas, admits on each the names the other announced, and leaves another tenant alone', async () => {
    const [a, b] = servers;
    const [sA, sB] = [names('svc-a', 12), names('svc-b', 12)];
    const [rA, rB] = [names('/route-a', 6), names('/route-b', 6)];
    // The service whose routes are tried is known to both first (one of ingest-0's service slots).
    await send(a!.url, 'shop', [['api', '/']]);
    await waitBeats(4);
    // At once, on both: 12 new services and 6 new routes of that service each, more than the whole quota.
    await Promise.all([
      send(a!.url, 'shop', [
        ...sA.map((s): [string, string] => [s, '/']),
        ...rA.map((r): [string, string] => ['api', r]),
      ]),
      send(b!.url, 'shop', [
        ...sB.map((s): [string, string] => [s, '/']),
        ...rB.map((r): [string, string] => ['api', r]),
      ]),
      send(
        a!.url,
        'billing',
        names('bill', 16).map((s) => [s, '/']),
      ),
    ]);
    await waitBeats(4); // both announced their names and read the other's
    // Each replica now gets the other's names: those the other admitted are admitted here too, without a slot.
    await Promise.all([
      send(a!.url, 'shop', [
        ...sB.map((s): [string, string] => [s, '/']),
        ...rB.map((r): [string, string] => ['api', r]),
      ]),
      send(b!.url, 'shop', [
        ...sA.map((s): [string, string] => [s, '/']),
        ...rA.map((r): [string, string] => ['api', r]),
      ]),
    ]);
    for (const { server } of servers.splice(0)) await server.stop();

    const facts = await storedFacts();
    const shop = facts.filter((f) => f.tenant === 'shop');
    const services = new Set(shop.map((f) => f.service).filter((s) => s !== overflowService));
    const routes = new Set(
      shop
        .filter((f) => f.service === 'api')
        .map((f) => f.path)
        .filter((p) => p !== overflowRoute),
    );
    expect(services.size).toBe(quota.services);
    expect(routes.size).toBe(quota.routesPerService);
    // Both replicas stored the same admitted names (each learned the other's), and folded the rest.
    const storedBy = (ingester: string) =>
      new Set(shop.filter((f) => f.ingester === ingester).map((f) => f.service));
    expect([...storedBy('ingest-0')].sort()).toEqual([...storedBy('ingest-1')].sort());
    expect(storedBy('ingest-0').has(overflowService)).toBe(true);
    const billing = new Set(facts.filter((f) => f.tenant === 'billing').map((f) => f.service));
    expect(billing.size).toBe(16);
  }, 90_000);
});

describe('a changed services or routes-per-service quota', () => {
  /** Distinct services, and distinct routes of `api`, in ops's stored facts of the given phases. */
  const distinct = (facts: Awaited<ReturnType<typeof storedFacts>>, phases: string[]) => {
    const ops = facts.filter((f) => f.tenant === 'ops' && phases.includes(f.event_id.split('-')[0]!));
    const services = new Set(ops.map((f) => f.service).filter((s) => s !== overflowService));
    const routes = new Set(
      ops.filter((f) => f.service === 'api' && f.path !== overflowRoute).map((f) => f.path),
    );
    return { services: services.size, routes: routes.size };
  };

  it('applies on both replicas at the tenants file re-read, names refused before the change included', async () => {
    for (const { server } of servers.splice(0)) await server.stop(); // only these two share ops's quota
    const [a, b] = [await startReplica('ingest-2'), await startReplica('ingest-3')];
    servers.push(a, b);
    await waitBeats(3);
    // quota 3 services, 2 routes of a service: ingest-2's fair shares are 2 and 1, ingest-3's 1 and 1.
    await send(a.url, 'ops', [['api', '/']], 'p0');
    await waitBeats(4);
    const batch = (side: string) => [
      ...names(`o-${side}`, 4).map((s): [string, string] => [s, '/']),
      ...names(`/r-${side}`, 4).map((r): [string, string] => ['api', r]),
    ];
    await Promise.all([send(a.url, 'ops', batch('a'), 'p1'), send(b.url, 'ops', batch('b'), 'p1')]);

    writeTenants({ services: 7, routesPerService: 6 }); // fair shares now 4 and 3, 3 and 3
    await new Promise((r) => setTimeout(r, 6000)); // the file is re-read every 5 s
    await waitBeats(2);
    // The same names again: those folded before (a cached refusal on the byte-level path) get the new room.
    await Promise.all([send(a.url, 'ops', batch('a'), 'p2'), send(b.url, 'ops', batch('b'), 'p2')]);
    for (const { server } of servers.splice(0)) await server.stop();

    const facts = await storedFacts();
    expect(distinct(facts, ['p0', 'p1'])).toEqual({ services: 3, routes: 2 });
    expect(distinct(facts, ['p0', 'p1', 'p2'])).toEqual({ services: 7, routes: 6 });
  }, 90_000);
});
