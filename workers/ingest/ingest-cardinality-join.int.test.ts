import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  prepareSharedStoreDir,
  startSharedStoreReplica,
  type SharedStoreReplica,
} from './testing/shared-store-replica.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import { overflowService } from '../domain/request-vocabulary.js';

/**
 * Issue #22 (docs/adr/0121): a tenant's services quota while an ingest replica joins. Two built `gravix ingest`
 * processes on one store; the first beats every 45 s, so it has not seen the second join when both are sent new
 * service names. The joiner now counts the first at its share of the first's own view (the whole quota: it was
 * alone) instead of its half, so the names across both stay within the quota; before, the first admitted the
 * quota and the joiner another half. What both wrote is read back from the raw layer after they stopped.
 */
const quota = 10;
const key = 'shop-key-0123456789';
let dir: string;
const replicas: SharedStoreReplica[] = [];

async function startReplica(name: string, beatMs: number) {
  const replica = await startSharedStoreReplica(dir, name, {
    GRAVIX_QUOTA_BEAT_MS: String(beatMs),
    GRAVIX_QUOTA_STALE_MS: '180000',
    GRAVIX_SHUTDOWN_DEADLINE_MS: '30000',
  });
  replicas.push(replica);
  return replica;
}

let seq = 0;
async function sendServices(url: string, services: string[]) {
  const facts = services.map((service) => ({
    event_id: `e-${seq++}`,
    timestamp: Date.now(),
    service,
    method: 'GET',
    path: '/cart',
    status_code: 200,
    latency_ms: 3,
  }));
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(facts),
  });
  expect([res.status, ((await res.json()) as { accepted: number }).accepted]).toEqual([200, services.length]);
}

/** The distinct services of the raw layer (each replica uploads its WAL on the way out). */
async function storedServices() {
  const store = new LocalObjectStore(join(dir, 'store'));
  const services = new Set<string>();
  let facts = 0;
  for (const { key: object } of await store.list('raw/')) {
    const body = gunzipSync((await store.get(object))!.body).toString('utf8');
    for (const line of body.split('\n').filter(Boolean)) {
      services.add((JSON.parse(line) as { service: string }).service);
      facts++;
    }
  }
  return { services, facts };
}

beforeAll(() => {
  dir = prepareSharedStoreDir('gx-cardinality-join-', {
    name: 'shop',
    key,
    quotas: `{ services: ${quota} }`,
  });
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.proc.kill()));
});

describe('a services quota while an ingest replica joins', () => {
  it('admits at most the quota across the replicas, though the first has not seen the joiner yet', async () => {
    // The first beats at start and then only every 45 s: it will not read the joiner's beat during this test.
    const first = await startReplica('ingest-a', 45_000);
    const joiner = await startReplica('ingest-b', 500);
    const names = (prefix: string) => Array.from({ length: quota }, (_, i) => `${prefix}-${i}`);
    await Promise.all([sendServices(first.url, names('first')), sendServices(joiner.url, names('joiner'))]);
    await Promise.all(replicas.map((r) => r.proc.kill()));
    const { services, facts } = await storedServices();
    expect(facts).toBe(2 * quota); // every fact kept: a name past the quota folds, it is not refused
    const admitted = [...services].filter((s) => s !== overflowService);
    expect(admitted.length).toBeLessThanOrEqual(quota);
    // The first, alone in its own view, took the quota; the joiner folded its new names.
    expect(admitted.sort()).toEqual(names('first').sort());
    expect(services.has(overflowService)).toBe(true);
  }, 180_000);
});
