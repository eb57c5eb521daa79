import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * `GET /api/v1/tenant-usage` without a tenants file (plain `gravix dev`, `gravix ingest` without
 * GRAVIX_TENANTS_FILE): the OpenAPI document promises the bytes accepted today across every replica and the live
 * replicas, quotas or not. The ingest server beat only with a tenants file, so the answer said 0 bytes and 0
 * replicas for a tenant that had just sent (found by the contract probe, 2026-12-03).
 */
const beatMs = 200;
const ingestKey = 'shop-ingest-0123456789';
const adminKey = 'shop-admin-0123456789';
let dir: string;
let ingest: IngestServer;
let query: QueryServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gx-usage-'));
  const store = new LocalObjectStore(join(dir, 'store'));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        { name: 'ingest', tenant: 'shop', sha256: hashApiKey(ingestKey), scopes: ['ingest'] },
        { name: 'admin', tenant: 'shop', sha256: hashApiKey(adminKey), scopes: ['admin'] },
      ],
    }),
  );
  const log = pino({ level: 'silent' });
  ingest = await startIngestServer(
    loadIngestConfig({
      GRAVIX_DATA_DIR: join(dir, 'ingest'),
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_INGESTER_ID: 'ingest-0',
      GRAVIX_INGEST_HOST: '127.0.0.1',
      GRAVIX_INGEST_PORT: '0',
      GRAVIX_INGEST_METRICS_PORT: '0',
      GRAVIX_QUOTA_BEAT_MS: String(beatMs),
      GRAVIX_SHUTDOWN_DEADLINE_MS: '0',
    }),
    store,
    log,
  );
  query = await startQueryServer(
    loadQueryConfig({
      GRAVIX_DATA_DIR: join(dir, 'query'),
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_QUERY_HOST: '127.0.0.1',
      GRAVIX_QUERY_PORT: '0',
      GRAVIX_QUERY_METRICS_PORT: '0',
    }),
    store,
    log,
  );
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await query?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function usage(): Promise<{ quotas: object; usage: { bytesToday: number; ingestReplicas: number } }> {
  const res = await fetch(`http://127.0.0.1:${query.port}/api/v1/tenant-usage`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Awaited<ReturnType<typeof usage>>;
}

it("reports a tenant's bytes of the day and the live ingest replica without a tenants file", async () => {
  const body = JSON.stringify(
    Array.from({ length: 20 }, (_, i) => ({
      event_id: `u-${i}`,
      timestamp: Date.now(),
      service: 'checkout',
      method: 'GET',
      path: '/cart',
      status_code: 200,
      latency_ms: 3,
    })),
  );
  const res = await fetch(`http://127.0.0.1:${ingest.port}/api/v1/facts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    body,
  });
  expect(res.status).toBe(200);
  // The next beat carries the batch: wait for it (a condition, not a fixed sleep; beats are 200 ms apart).
  const deadline = Date.now() + 20_000;
  let seen = await usage();
  while (seen.usage.bytesToday === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, beatMs));
    seen = await usage();
  }
  expect(seen.quotas).toEqual({});
  expect(seen.usage.bytesToday).toBe(Buffer.byteLength(body));
  expect(seen.usage.ingestReplicas).toBe(1);
}, 40_000);
