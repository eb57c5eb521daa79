import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { LocalObjectStore } from '../adapters/object-store/local-object-store.js';
import type { ObjectStore } from '../adapters/object-store/object-store.js';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { hashApiKey } from '../domain/api-keys.js';
import { buildRawPartition, buildSegmentObjectKey } from '../domain/raw-partition.js';

const apiKey = 'durability-key';
/** A second tenant's key: its 1000-fact batches (~120 KB frames) go to the WAL's bulk commit lane (docs/adr/0126). */
const bulkKey = 'bulk-key';

function setup(): { dataDir: string; env: NodeJS.ProcessEnv } {
  const dataDir = mkdtempSync(join(tmpdir(), 'gx-durable-'));
  const keysFile = join(dataDir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({
      keys: [
        { name: 'load', tenant: 'acme', sha256: hashApiKey(apiKey) },
        { name: 'bulk', tenant: 'bulky', sha256: hashApiKey(bulkKey) },
      ],
    }),
  );
  return {
    dataDir,
    env: {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_INGESTER_ID: 'ingest-0',
      GRAVIX_WAL_SEGMENT_BYTES: String(32 * 1024),
      GRAVIX_WAL_SEGMENT_AGE_MS: '300',
      GRAVIX_LOG_LEVEL: 'warn',
    },
  };
}

/** A fresh data directory and the environment of a `gravix ingest` on a free port over the local store. */
async function localIngestRun(overrides: NodeJS.ProcessEnv = {}) {
  const { dataDir, env } = setup();
  const port = await freePort();
  const runEnv = {
    ...env,
    GRAVIX_STORE: 'local',
    GRAVIX_INGEST_PORT: String(port),
    GRAVIX_INGEST_METRICS_PORT: '0',
    ...overrides,
  };
  return { dataDir, url: `http://127.0.0.1:${port}`, runEnv };
}

function facts(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `${prefix}-${i}`,
    timestamp: Date.now() - 1000,
    service: 'checkout',
    method: 'GET',
    path: `/orders/${i}`,
    status_code: i % 10 === 0 ? 503 : 200,
    latency_ms: 5 + (i % 50),
  }));
}

async function postAcknowledged(url: string, body: unknown[], key = apiKey): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.status === 200;
  } catch {
    // The server was killed mid-request: that batch was not acknowledged.
    return false;
  }
}

/**
 * Sends batches of `size` facts from `clients` loops until `until` resolves; returns the event ids that were
 * acknowledged (`acked`, when given, is filled as they are).
 */
async function sendLoad(
  url: string,
  clients: number,
  until: Promise<unknown>,
  { size = 20, key = apiKey, acked = new Set<string>() } = {},
): Promise<Set<string>> {
  let stop = false;
  void until.then(() => (stop = true));
  const client = async (c: number) => {
    for (let batch = 0; !stop && batch < 10_000; batch += 1) {
      const body = facts(`${key}-c${c}-b${batch}`, size);
      if (await postAcknowledged(url, body, key)) for (const f of body) acked.add(f.event_id);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  return acked;
}

/** How many times each event id is stored in the raw objects. */
async function storedEventCounts(store: ObjectStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const info of await store.list('raw/')) {
    const object = await store.get(info.key);
    const lines = gunzipSync(object!.body).toString('utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const id = (JSON.parse(line) as { event_id: string }).event_id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

async function storedEventIds(store: ObjectStore): Promise<Set<string>> {
  return new Set((await storedEventCounts(store)).keys());
}

async function expectAllStored(store: ObjectStore, acked: Set<string>): Promise<void> {
  await waitUntil(
    async () => {
      const stored = await storedEventIds(store);
      return [...acked].every((id) => stored.has(id));
    },
    { what: 'every acknowledged event_id in the object store', timeoutMs: 60_000, intervalMs: 500 },
  );
}

describe('ingestion durability', () => {
  it('keeps every acknowledged event after kill -9 under load and a restart', async () => {
    const { dataDir, url, runEnv } = await localIngestRun();
    const first = await startGravix('ingest', runEnv, `${url}/ready`);
    const killed = new Promise((r) => setTimeout(r, 2500)).then(() => first.kill('SIGKILL'));
    const acked = await sendLoad(url, 8, killed);
    expect(acked.size).toBeGreaterThan(500);

    const second = await startGravix('ingest', runEnv, `${url}/ready`);
    await expectAllStored(new LocalObjectStore(join(dataDir, 'store')), acked);
    await second.kill('SIGTERM');
    expect(second.proc.exitStatus).toBe(0);
  });

  it("keeps every acknowledged fact exactly once after kill -9 while both commit lanes write (a bulk tenant's batches beside a small tenant's facts)", async () => {
    const { dataDir, url, runEnv } = await localIngestRun({
      // Nothing seals before the kill: each lane's open segment is still open when the process dies.
      GRAVIX_WAL_SEGMENT_BYTES: String(256 * 1024 * 1024),
      GRAVIX_WAL_SEGMENT_AGE_MS: '600000',
    });
    const first = await startGravix('ingest', runEnv, `${url}/ready`);
    const [small, bulk] = [new Set<string>(), new Set<string>()];
    // Killed once both tenants have acknowledged batches, with both still sending: the kill lands among
    // group commits of both lanes in flight.
    const killed = waitUntil(async () => small.size >= 20 && bulk.size >= 2000, {
      what: 'acknowledged batches of both tenants',
      timeoutMs: 30_000,
      intervalMs: 50,
    }).then(() => first.kill('SIGKILL'));
    await Promise.all([
      sendLoad(url, 8, killed, { size: 1, acked: small }),
      sendLoad(url, 2, killed, { size: 1000, key: bulkKey, acked: bulk }),
    ]);
    const open = readdirSync(join(dataDir, 'wal')).filter((n) => n.endsWith('.open'));
    expect(open).toHaveLength(2);

    const second = await startGravix('ingest', runEnv, `${url}/ready`);
    const store = new LocalObjectStore(join(dataDir, 'store'));
    const acked = new Set([...small, ...bulk]);
    await expectAllStored(store, acked);
    await second.kill('SIGTERM');
    expect(second.proc.exitStatus).toBe(0);
    const counts = await storedEventCounts(store);
    expect([...acked].filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
  });

  it('keeps the objects of an earlier run when it restarts idle and writes more (sequence numbers never repeat)', async () => {
    const { dataDir, url, runEnv } = await localIngestRun();
    const store = new LocalObjectStore(join(dataDir, 'store'));
    const walIsEmpty = async () => !readdirSync(join(dataDir, 'wal')).some((n) => n.startsWith('seg-'));
    const acked = new Set<string>();
    for (const [run, batch] of [facts('first', 3), facts('second', 1)].entries()) {
      const ingest = await startGravix('ingest', runEnv, `${url}/ready`);
      expect(await postAcknowledged(url, batch)).toBe(true);
      for (const f of batch) acked.add(f.event_id);
      await waitUntil(walIsEmpty, { what: `run ${run} uploaded`, timeoutMs: 10_000 });
      await ingest.kill('SIGTERM');
    }
    expect([...(await storedEventIds(store))].sort()).toEqual([...acked].sort());
    expect(await store.list('raw/')).toHaveLength(2);
  });

  it('never replaces a different object already at a segment key: RAW_OBJECT_COLLISION, counted, segment kept', async () => {
    const { dataDir, env } = setup();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    const ingest = await startGravix(
      'ingest',
      {
        ...env,
        GRAVIX_STORE: 'local',
        GRAVIX_INGEST_PORT: String(port),
        GRAVIX_INGEST_METRICS_PORT: String(metricsPort),
        GRAVIX_TEST_UPLOAD_DELAY_MS: '2000',
      },
      `${url}/ready`,
    );
    const store = new LocalObjectStore(join(dataDir, 'store'));
    const walDir = join(dataDir, 'wal');
    const body = facts('forged', 1);
    expect(await postAcknowledged(url, body)).toBe(true);
    // The upload waits 2 s before its put: time to forge another object at the key it is about to write.
    const sealed = await waitUntil(async () => readdirSync(walDir).find((n) => n.endsWith('.sealed')), {
      what: 'a sealed segment',
      timeoutMs: 10_000,
    });
    const [, seq, segmentId] = /^seg-(\d{12})-([0-9a-f]{16})\.sealed$/.exec(sealed)!;
    const key = buildSegmentObjectKey('raw', buildRawPartition('acme', body[0]!.timestamp), {
      ingesterId: 'ingest-0',
      seq: Number(seq),
      segmentId,
    });
    const forged = gzipSync('{"event_id":"not-ours"}\n');
    await store.put(key, forged);

    await waitUntil(
      async () =>
        /^gravix_upload_collisions_total 1$/m.test(
          await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
        ),
      { what: 'gravix_upload_collisions_total 1', timeoutMs: 15_000 },
    );
    await ingest.kill('SIGTERM');
    expect(ingest.proc.exitStatus).toBe(3); // not drained: the segment is still waiting
    const logged = readFileSync(ingest.proc.logPath, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"raw object collision: segment kept"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged[0]).toMatchObject({ level: 50, code: 'RAW_OBJECT_COLLISION', key });
    expect(existsSync(join(walDir, sealed))).toBe(true);
    expect(Buffer.from((await store.get(key))!.body)).toEqual(forged);
  });

  describe('with MinIO', () => {
    let minio: MinioServer;
    beforeAll(async () => {
      minio = await startMinio();
    });
    afterAll(() => minio?.stop());

    it('loses nothing acknowledged while MinIO is down, and uploads the backlog once it is back', async () => {
      const bucket = `gx-${randomBytes(4).toString('hex')}`;
      await minio.createBucket(bucket);
      const { env } = setup();
      const [port, metricsPort] = [await freePort(), await freePort()];
      const url = `http://127.0.0.1:${port}`;
      const ingest = await startGravix(
        'ingest',
        {
          ...env,
          GRAVIX_INGEST_PORT: String(port),
          GRAVIX_INGEST_METRICS_PORT: String(metricsPort),
          ...minio.storeEnv(bucket),
        },
        `${url}/ready`,
      );
      const store = new S3ObjectStore(minio.s3Options(bucket));
      try {
        const before = await sendLoad(url, 4, new Promise((r) => setTimeout(r, 500)));
        await minio.pause();
        const during = await sendLoad(url, 4, new Promise((r) => setTimeout(r, 1500)));
        expect(during.size).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 1000));
        const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        expect(metrics).toMatch(/^gravix_upload_failures_total [1-9]/m);
        await minio.start();
        await expectAllStored(store, new Set([...before, ...during]));
      } finally {
        store.destroy();
        await ingest.kill('SIGTERM');
      }
      expect(ingest.proc.exitStatus).toBe(0);
    });
  });
});
