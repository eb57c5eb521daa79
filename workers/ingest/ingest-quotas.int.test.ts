import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { hashApiKey } from '../domain/api-keys.js';
import { loadIngestConfig } from './config.js';
import { startIngestServer, type IngestServer } from './ingest-server.js';
import { loadQueryConfig } from '../query/config.js';
import { startQueryServer, type QueryServer } from '../query/app/query-server.js';

/**
 * Issue #22 item 2: two real ingest servers (in-process, real HTTP, real WAL, one store) share one tenant's
 * events-per-second quota through their beats in the store; another tenant is unaffected; a replica leaving gives
 * its share back. Rates are measured from the servers' answers over windows that start after the buckets' first
 * burst, so the machine's load changes how many requests are sent, not what is accepted.
 */
const quota = 400;
const batch = 50;
const beatMs = 500;
const keys = { shop: 'shop-key-0123456789', billing: 'billing-key-0123456789' };
const shopAdmin = 'shop-admin-0123456789';
let query: QueryServer;

let dir: string;
let store: LocalObjectStore;
const servers: { name: string; server: IngestServer; url: string }[] = [];

async function startReplica(name: string): Promise<{ name: string; server: IngestServer; url: string }> {
  const env = {
    GRAVIX_DATA_DIR: join(dir, name),
    GRAVIX_API_KEYS_FILE: join(dir, 'keys.json'),
    GRAVIX_TENANTS_FILE: join(dir, 'tenants.yaml'),
    GRAVIX_INGESTER_ID: name,
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_QUOTA_BEAT_MS: String(beatMs),
    GRAVIX_MAX_ITEMS_PER_BATCH: String(batch),
    GRAVIX_SHUTDOWN_DEADLINE_MS: '0',
  };
  const server = await startIngestServer(loadIngestConfig(env), store, pino({ level: 'silent' }));
  return { name, server, url: `http://127.0.0.1:${server.port}/api/v1/facts` };
}

function facts(tenant: string, n: number, seq: number) {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `${tenant}-${seq}-${i}`,
    timestamp: Date.now(),
    service: 'checkout',
    method: 'GET',
    path: '/cart',
    status_code: 200,
    latency_ms: 3,
  }));
}

let seq = 0;
async function send(url: string, tenant: keyof typeof keys) {
  const text = JSON.stringify(facts(tenant, tenant === 'shop' ? batch : 10, seq++));
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
    body: text,
  });
  const body = (await res.json()) as { accepted?: number; error?: { code: string; message: string } };
  const bytes = Buffer.byteLength(text);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, bytes, at: Date.now() };
}

type Answer = Awaited<ReturnType<typeof send>>;
/** Every shop answer, for the usage check. */
const sent: Answer[] = [];

/** Sends `tenant`'s batches to every url, `loops` senders per url, each pausing `gapMs`, for `ms`. */
async function drive(urls: string[], tenant: keyof typeof keys, ms: number, gapMs: number, loops = 2) {
  const answers: Answer[] = [];
  const until = Date.now() + ms;
  const loop = async (url: string) => {
    while (Date.now() < until) {
      const answer = await send(url, tenant);
      answers.push(answer);
      if (tenant === 'shop') sent.push(answer);
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
  };
  await Promise.all(urls.flatMap((url) => Array.from({ length: loops }, () => loop(url))));
  return answers;
}

/**
 * Facts accepted per second over a drive that follows a warm-up at the same load: the warm-up empties the buckets,
 * so what the drive gets is refill only. Measured from the drive's start to its last answer (client times: with
 * server and client on one loaded event loop, per-answer stamps lag, the whole drive's total does not).
 */
async function measuredRate(urls: string[], loops: number, warmMs: number, ms: number) {
  await drive(urls, 'shop', warmMs, 0, loops);
  const start = Date.now();
  const answers = await drive(urls, 'shop', ms, 0, loops);
  const end = Math.max(...answers.map((a) => a.at));
  const accepted = answers.filter((a) => a.status === 200).reduce((n, a) => n + (a.body.accepted ?? 0), 0);
  return { rate: accepted / ((end - start) / 1000), answers };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gx-quotas-'));
  store = new LocalObjectStore(join(dir, 'store'));
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({
      keys: [
        { name: 'shop', tenant: 'shop', sha256: hashApiKey(keys.shop), scopes: ['ingest'] },
        { name: 'billing', tenant: 'billing', sha256: hashApiKey(keys.billing), scopes: ['ingest'] },
        { name: 'shop-admin', tenant: 'shop', sha256: hashApiKey(shopAdmin), scopes: ['admin'] },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'tenants.yaml'),
    `tenants:\n  - tenant: shop\n    displayName: Shop\n    retention: { rawDays: 1 }\n    quotas: { eventsPerSecond: ${quota}, bytesPerDay: 1000000000 }\n  - tenant: billing\n`,
  );
  servers.push(await startReplica('ingest-0'), await startReplica('ingest-1'));
  query = await startQueryServer(
    loadQueryConfig({
      GRAVIX_DATA_DIR: join(dir, 'query'),
      GRAVIX_API_KEYS_FILE: join(dir, 'keys.json'),
      GRAVIX_TENANTS_FILE: join(dir, 'tenants.yaml'),
      GRAVIX_QUERY_HOST: '127.0.0.1',
      GRAVIX_QUERY_PORT: '0',
      GRAVIX_QUERY_METRICS_PORT: '0',
    }),
    store,
    pino({ level: 'silent' }),
  );
  // Three beats: each has read the other's announcement.
  await new Promise((r) => setTimeout(r, beatMs * 3));
}, 60_000);

afterAll(async () => {
  for (const { server } of servers) await server.stop();
  await query?.stop();
});

describe('tenant quotas shared by two ingest replicas', () => {
  it("holds the tenant's accepted rate within 10% of its quota across both replicas, the other tenant unaffected", async () => {
    const urls = servers.map((s) => s.url);
    // Offered: 2 replicas x 3 senders x 50 facts a round trip, well over 400/s even on a loaded machine.
    const [{ rate, answers: shop }, billing] = await Promise.all([
      measuredRate(urls, 3, 2000, 6000),
      drive([urls[0]!], 'billing', 8000, 50, 1),
    ]);
    expect(Math.abs(rate - quota) / quota).toBeLessThan(0.1);
    const refused = shop.find((a) => a.status === 429)!;
    expect(refused.body.error).toEqual({
      code: 'QUOTA_EXCEEDED',
      message: "tenant 'shop' is over its quota of 400 events per second (shared by 2 ingest replicas)",
      request_id: expect.any(String),
    });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(billing.filter((a) => a.status !== 200)).toEqual([]);
    expect(billing.length).toBeGreaterThan(10);
  }, 60_000);

  it("shows the tenant's admins its quotas, its rate across replicas and every byte accepted today", async () => {
    // Every shop answer so far, across both replicas, is in `sent`; a beat later both replicas have announced them.
    await new Promise((r) => setTimeout(r, beatMs * 3));
    const res = await fetch(`http://127.0.0.1:${query.port}/api/v1/tenant-usage`, {
      headers: { authorization: `Bearer ${shopAdmin}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: Record<string, unknown> };
    expect(body).toEqual({
      tenant: 'shop',
      displayName: 'Shop',
      quotas: { eventsPerSecond: quota, bytesPerDay: 1_000_000_000 },
      usage: {
        eventsPerSecond: expect.any(Number),
        day: new Date().toISOString().slice(0, 10),
        bytesToday: sent.filter((a) => a.status === 200).reduce((n, a) => n + a.bytes, 0),
        ingestReplicas: 2,
        services: 0,
        routes: 0,
        servicesAtRouteQuota: 0,
      },
    });
    const ingestKey = await fetch(`http://127.0.0.1:${query.port}/api/v1/tenant-usage`, {
      headers: { authorization: `Bearer ${keys.shop}` },
    });
    expect(ingestKey.status).toBe(403);
  }, 30_000);

  it('gives a leaving replica its share back to the one that stays', async () => {
    const [stays, leaves] = servers;
    await leaves!.server.stop();
    servers.pop();
    // Alone, the replica that stays accepts the whole quota, not its former half.
    const { rate, answers } = await measuredRate([stays!.url], 3, 1500, 4000);
    expect(Math.abs(rate - quota) / quota).toBeLessThan(0.1);
    const refused = answers.findLast((a) => a.status === 429)!;
    expect(refused.body.error?.message).toBe(
      "tenant 'shop' is over its quota of 400 events per second (shared by 1 ingest replicas)",
    );
  }, 60_000);

  it("refuses a fact older than the tenant's raw retention (rawDays 1) and takes it from a tenant without one", async () => {
    const [stays] = servers;
    const twoDaysOld = (tenant: keyof typeof keys) =>
      fetch(stays!.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...facts(tenant, 1, seq++)[0], timestamp: Date.now() - 2 * 86_400_000 }),
      });
    const refused = await twoDaysOld('shop');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { rejected: unknown[] }).rejected).toEqual([
      expect.objectContaining({ code: 'OUT_OF_RANGE', field: 'timestamp' }),
    ]);
    expect((await twoDaysOld('billing')).status).toBe(200);
  }, 30_000);
});
