import {
  prepareSharedStoreDir,
  startSharedStoreReplica,
  type SharedStoreReplica,
} from './testing/shared-store-replica.js';

/**
 * Issue #22: a tenant's events-per-second quota shared by two built `gravix ingest` processes whose traffic is
 * skewed 90/10 (docs/adr/0121). With equal shares the busy replica held the tenant at half its quota while the
 * quiet one left most of its half unused (about 70% of the quota in all); shares that follow each replica's
 * announced demand give the tenant its quota. The offered load is paced by a schedule that catches up when the
 * machine is slow, so load changes when batches leave, not how many; rates are counted over a window after the
 * replicas have announced their demand.
 */
const quota = 400;
const batch = 20;
const beatMs = 500;
const offered = { busy: 720, quiet: 80 }; // facts per second: 90/10 of twice the quota
const key = 'shop-key-0123456789';
let dir: string;
const replicas: SharedStoreReplica[] = [];

function startReplica(name: string) {
  return startSharedStoreReplica(dir, name, {
    GRAVIX_QUOTA_BEAT_MS: String(beatMs),
    GRAVIX_MAX_ITEMS_PER_BATCH: String(batch),
  });
}

let seq = 0;
const body = () =>
  JSON.stringify(
    Array.from({ length: batch }, (_, i) => ({
      event_id: `e-${seq++}-${i}`,
      timestamp: Date.now(),
      service: 'checkout',
      method: 'GET',
      path: '/cart',
      status_code: 200,
      latency_ms: 3,
    })),
  );

interface Answer {
  sentAt: number;
  accepted: number;
  status: number;
}

/**
 * Sends batches to `url` at `perSecond` facts a second until `until`: every 20 ms the batches due by now leave,
 * at most 64 in flight, so a late timer sends a burst instead of lowering the rate.
 */
async function paced(url: string, perSecond: number, until: number, answers: Answer[]) {
  const start = Date.now();
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  while (Date.now() < until) {
    const due = Math.floor((((Date.now() - start) / 1000) * perSecond) / batch);
    while (sent < due && inFlight.size < 64) {
      sent++;
      const sentAt = Date.now();
      const request = fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body(),
      })
        .then(async (res) => {
          const answer = (await res.json()) as { accepted?: number };
          answers.push({ sentAt, status: res.status, accepted: answer.accepted ?? 0 });
        })
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(inFlight);
}

beforeAll(async () => {
  dir = prepareSharedStoreDir('gx-demand-shares-', {
    name: 'shop',
    key,
    quotas: `{ eventsPerSecond: ${quota} }`,
  });
  replicas.push(...(await Promise.all([startReplica('ingest-0'), startReplica('ingest-1')])));
}, 300_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.proc.kill()));
});

describe('rate shares that follow each replica demand', () => {
  it('gives a tenant whose traffic lands 90/10 on two replicas its quota within 10%, not the busy replica half', async () => {
    const [busy, quiet] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
    const answers = { busy: [] as Answer[], quiet: [] as Answer[] };
    const warmMs = 3000; // several beats: each replica has announced its demand and read the other's
    const measureMs = 8000;
    const start = Date.now();
    const until = start + warmMs + measureMs;
    await Promise.all([
      paced(busy.url, offered.busy, until, answers.busy),
      paced(quiet.url, offered.quiet, until, answers.quiet),
    ]);
    const from = start + warmMs;
    const windowEnd = Math.max(...[...answers.busy, ...answers.quiet].map((a) => a.sentAt));
    const inWindow = (list: Answer[]) => list.filter((a) => a.sentAt >= from);
    const acceptedIn = (list: Answer[]) => inWindow(list).reduce((n, a) => n + a.accepted, 0);
    const seconds = (windowEnd - from) / 1000;
    const rates = { busy: acceptedIn(answers.busy) / seconds, quiet: acceptedIn(answers.quiet) / seconds };
    // Nothing but the quota refused anything.
    const statuses = new Set([...answers.busy, ...answers.quiet].map((a) => a.status));
    expect([...statuses].sort()).toEqual([200, 429]);
    expect(Math.abs(rates.busy + rates.quiet - quota) / quota).toBeLessThan(0.1);
    // The busy replica took far more than the half it had with equal shares.
    expect(rates.busy).toBeGreaterThan(0.7 * quota);
  }, 120_000);
});
