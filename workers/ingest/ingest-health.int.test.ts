import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testbin/harness/free-port.js';
import { startGravix, type GravixProcess } from '../../testbin/harness/gravix-process.js';
import { waitUntil } from '../../testbin/harness/wait-until.js';
import { hashApiKey } from '../domain/api-keys.js';

/**
 * Issue #17 items 6 and 7 against the real built CLI: /ready says whether the WAL can take a batch (and turns
 * back once it can), /metrics is served on its own port only, and what ingest writes to disk is owner-only.
 */
const apiKey = 'health-key';

async function startIngest(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gx-health-'));
  const keysFile = join(dataDir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify({ keys: [{ name: 'k', tenant: 'acme', sha256: hashApiKey(apiKey) }] }),
  );
  const [port, metricsPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const ingest = await startGravix(
    'ingest',
    {
      GRAVIX_DATA_DIR: dataDir,
      GRAVIX_API_KEYS_FILE: keysFile,
      GRAVIX_INGESTER_ID: 'ingest-0',
      GRAVIX_INGEST_PORT: String(port),
      GRAVIX_INGEST_METRICS_PORT: String(metricsPort),
      GRAVIX_STORE: 'local',
      GRAVIX_WAL_SEGMENT_AGE_MS: '300',
      GRAVIX_LOG_LEVEL: 'warn',
      ...env,
    },
    `${url}/ready`,
  );
  return { dataDir, url, metricsUrl: `http://127.0.0.1:${metricsPort}`, ingest };
}

const facts = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${prefix}-${i}`,
    timestamp: Date.now() - 1000,
    service: 'checkout',
    method: 'GET',
    path: `/orders/${i}`,
    status_code: 200,
    latency_ms: 5,
    trace_id: 't'.repeat(100),
  }));

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/v1/facts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const readiness = async (url: string) => {
  const res = await fetch(`${url}/ready`);
  return { status: res.status, body: (await res.json()) as unknown };
};

/** Makes a directory refuse new files, even to root (which ignores its mode): the immutable flag. */
function setImmutable(dir: string, on: boolean): void {
  if (process.getuid?.() === 0) execFileSync('chattr', [on ? '+i' : '-i', dir]);
  else execFileSync('chmod', [on ? '0500' : '0700', dir]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((e) => join(e.parentPath, e.name));
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('ingest health and exposure (built CLI)', () => {
  let current: GravixProcess | undefined;
  afterEach(async () => {
    await current?.kill('SIGKILL');
    current = undefined;
  });

  it('is not ready while the disk buffer is at its budget, and ready again once uploads catch up', async () => {
    const { url, ingest } = await startIngest({
      GRAVIX_DISK_BUDGET_BYTES: String(1024 * 1024),
      GRAVIX_TENANT_DISK_SHARE_PERCENT: '100',
      GRAVIX_WAL_SEGMENT_BYTES: String(512 * 1024),
      GRAVIX_TEST_UPLOAD_DELAY_MS: '3000',
    });
    current = ingest;
    expect(await readiness(url)).toEqual({ status: 200, body: { status: 'ready' } });
    let status = 200;
    for (let batch = 0; status === 200 && batch < 40; batch++)
      status = (await post(url, facts(`b${batch}`, 400))).status;
    expect(status).toBe(503);
    expect(await readiness(url)).toEqual({ status: 503, body: { status: 'disk-buffer-full' } });
    await waitUntil(async () => (await readiness(url)).status === 200, {
      what: 'ready again once the paused uploads finish',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect((await post(url, facts('after', 10))).status).toBe(200);
  });

  it('is not ready while the WAL directory refuses new files, and ready again once it takes them', async () => {
    const { dataDir, url, ingest } = await startIngest();
    current = ingest;
    const walDir = join(dataDir, 'wal');
    setImmutable(walDir, true);
    try {
      expect(await readiness(url)).toEqual({ status: 503, body: { status: 'wal-not-writable' } });
    } finally {
      setImmutable(walDir, false);
    }
    expect(await readiness(url)).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await post(url, facts('ok', 5))).status).toBe(200);
  });

  it('serves /metrics on its own port only, and writes WAL and store files 0600 in 0700 directories', async () => {
    const { dataDir, url, metricsUrl, ingest } = await startIngest({ GRAVIX_WAL_SEGMENT_AGE_MS: '200' });
    current = ingest;
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await post(url, facts('m', 20))).status).toBe(200);
    const metrics = await fetch(`${metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^gravix_ingest_facts_accepted_total\{tenant="acme"\} 20$/m);
    await waitUntil(async () => filesUnder(join(dataDir, 'store')).some((p) => p.endsWith('.jsonl.gz')), {
      what: 'the segment uploaded to the local store',
      timeoutMs: 15_000,
    });
    expect((await post(url, facts('n', 5))).status).toBe(200);
    const written = [join(dataDir, 'wal'), join(dataDir, 'store')].flatMap((d) => [d, ...filesUnder(d)]);
    const modes = written.map((p) => ({ path: p.slice(dataDir.length), mode: mode(p) }));
    expect(modes.length).toBeGreaterThan(4);
    expect(modes).toEqual(
      written.map((p) => ({
        path: p.slice(dataDir.length),
        mode: statSync(p).isDirectory() ? '700' : '600',
      })),
    );
  });
});
