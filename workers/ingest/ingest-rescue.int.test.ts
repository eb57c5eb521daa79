import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { builtCli } from '../../testbin/harness/built-cli.js';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix } from '../../testbin/harness/gravix-process.js';
import { startMinio, type MinioServer } from '../../testbin/harness/minio-server.js';
import { S3ObjectStore } from '../adapters/object-store/s3-object-store.js';
import { hashApiKey } from '../domain/api-keys.js';

/**
 * `gravix ingest --rescue`, what the operator's rescue Job runs on the volume of an ingest replica that was scaled
 * away: an ingester stopped during a MinIO outage leaves acknowledged facts in its write-ahead log, and the rescue
 * uploads them once the store answers, then exits 0 with the log empty.
 */
const apiKey = 'rescue-key';

async function rescue(env: NodeJS.ProcessEnv): Promise<number> {
  try {
    await promisify(execFile)(process.execPath, [await builtCli(), 'ingest', '--rescue'], {
      env,
      timeout: 60_000,
    });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

describe('gravix ingest --rescue', () => {
  let minio: MinioServer;
  beforeAll(async () => {
    minio = await startMinio();
  });
  afterAll(() => minio?.stop());

  it('uploads what a stopped ingester could not during an outage, exits 3 while the store is down and 0 once all is stored', async () => {
    const bucket = `gx-${randomBytes(4).toString('hex')}`;
    await minio.createBucket(bucket);
    const dataDir = mkdtempSync(join(tmpdir(), 'gx-rescue-'));
    const keysFile = join(dataDir, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({ keys: [{ name: 'k', tenant: 'acme', sha256: hashApiKey(apiKey) }] }),
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_INGESTER_ID: 'e2e-ingest-1',
      GRAVIX_LOG_LEVEL: 'warn',
      GRAVIX_SHUTDOWN_DEADLINE_MS: '1500',
      GRAVIX_INGEST_PORT: String(port),
      ...minio.storeEnv(bucket),
    };
    const segments = () => readdirSync(join(dataDir, 'wal')).filter((n) => n.startsWith('seg-'));
    const ingest = await startGravix('ingest', env, `${url}/ready`);
    await minio.pause();
    const facts = Array.from({ length: 50 }, (_, i) => ({
      event_id: `rescued-${i}`,
      timestamp: Date.now() - 1000,
      service: 'checkout',
      method: 'GET',
      path: '/orders',
      status_code: 200,
      latency_ms: i,
    }));
    const res = await fetch(`${url}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(facts),
    });
    expect(res.status).toBe(200);
    await ingest.kill('SIGTERM');
    // The drain could not reach the store within its deadline: the facts stay on the volume.
    expect(ingest.proc.exitStatus).toBe(3);
    expect(segments()).toHaveLength(1);

    expect(await rescue(env)).toBe(3);
    expect(segments()).toHaveLength(1);

    await minio.start();
    expect(await rescue({ ...env, GRAVIX_SHUTDOWN_DEADLINE_MS: '30000' })).toBe(0);
    expect(segments()).toEqual([]);
    const store = new S3ObjectStore(minio.s3Options(bucket));
    try {
      const objects = await store.list('raw/');
      expect(objects).toHaveLength(1);
      expect(objects[0]!.key).toContain('/e2e-ingest-1-');
      const body = (await store.get(objects[0]!.key))!.body;
      const ids = gunzipSync(body).toString('utf8').split('\n').filter(Boolean);
      expect(ids.map((l) => (JSON.parse(l) as { event_id: string }).event_id).sort()).toEqual(
        facts.map((f) => f.event_id).sort(),
      );
    } finally {
      store.destroy();
    }
  });
});
