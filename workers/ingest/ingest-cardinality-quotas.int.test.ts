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
const keys = { shop: 'shop-key-0123456789', billing: 'billing-key-0123456789' };

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
async function send(url: string, tenant: keyof typeof keys, pairs: [string, string][]) {
  const facts = pairs.map(([service, path]) => ({
    event_id: `e-${seq++}`,
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
  const facts: { tenant: string; service: string; path: string; ingester: string }[] = [];
  for (const { key } of await store.list('raw/')) {
    const body = gunzipSync((await store.get(key))!.body).toString('utf8');
    const ingester = parseRawSegmentKey(key).file.split('-').slice(0, 2).join('-');
    for (const line of body.split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as { tenant: string; service: string; path: string };
      facts.push({ tenant: r.tenant, service: r.service, path: r.path, ingester });
    }
  }
  return facts;
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
      ],
    }),
  );
  writeFileSync(
    join(dir, 'tenants.yaml'),
    `tenants:\n  - tenant: shop\n    quotas: { services: ${quota.services}, routesPerService: ${quota.routesPerService} }\n  - tenant: billing\n`,
  );
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
