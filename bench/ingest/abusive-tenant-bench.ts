/**
 * bench/ingest abusive tenant (issue #17): a normal tenant's single-fact ingest latency and the rollup time with
 * and without an abusive tenant sending as fast as it can, at its rate limit, every fact a new service (300k+
 * distinct services), printed side by side; and the ingest server's RSS after the abuse beside its RSS after the
 * normal traffic alone (the floor). Each scenario runs on its own fresh ingest server (the built CLI code, forked)
 * and data directory; the rollup is `gravix rollup --once --include-open` on that directory.
 * Usage: npm run bench:abusive-tenant [-- --seconds 10 --services 300000 --rate 50000]
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { loadIngestConfig } from '../../workers/ingest/config.js';
import { startIngestServer } from '../../workers/ingest/ingest-server.js';
import { runWrk } from './wrk-load.js';

const arg = (name: string, fallback: number) =>
  process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
const seconds = arg('--seconds', 10);
const abusiveServices = arg('--services', 300_000);
const connections = 16;
const abuserBatch = 1000;
// Items per second per tenant (GRAVIX_RATE_PER_SECOND; burst twice that); the product's default unless given.
const rate = arg('--rate', 50_000);

const tenants = [
  { name: 'normal', tenant: 'normal', sha256: hashApiKey('normal') },
  { name: 'abuser', tenant: 'abuser', sha256: hashApiKey('abuser') },
];

function fact(id: string, service: string, i: number) {
  return {
    event_id: id,
    timestamp: Date.now(),
    service,
    method: 'GET',
    path: `/api/items/${i % 50}`,
    status_code: i % 25 === 0 ? 500 : 200,
    latency_ms: 3 + (i % 97),
  };
}

/** serve mode: the ingest server with the product's default limits, reporting its port to the parent. */
async function serve(dir: string): Promise<void> {
  const keys = join(dir, 'keys.json');
  writeFileSync(keys, JSON.stringify({ keys: tenants }));
  const config = loadIngestConfig({
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keys,
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_WAL_SEGMENT_AGE_MS: '1000',
    GRAVIX_RATE_PER_SECOND: String(rate),
    GRAVIX_RATE_BURST: String(2 * rate),
  });
  const server = await startIngestServer(
    config,
    new LocalObjectStore(join(dir, 'store')),
    pino({ level: 'warn' }),
  );
  process.send?.({ port: server.port });
}

/** abuse mode: 1000-fact batches, every fact a new service, until `abusiveServices` were sent; 429s retried. */
async function abuse(port: number): Promise<void> {
  let sent = 0;
  let refused = 0;
  let batch = 0;
  while (sent < abusiveServices) {
    const body = JSON.stringify(
      Array.from({ length: abuserBatch }, (_, i) => fact(`a${batch}-${i}`, `svc-${sent + i}`, i)),
    );
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/facts`, {
      method: 'POST',
      headers: { authorization: 'Bearer abuser', 'content-type': 'application/json' },
      body,
    });
    await res.arrayBuffer();
    if (res.status === 200) sent += abuserBatch;
    else refused++;
    batch++;
  }
  process.send?.({ sent, refused });
}

function forkMode(args: string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), args);
}

const message = <T>(child: ChildProcess) =>
  new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));

/** Resident and peak resident set of a process, MiB (Linux /proc). */
function rssMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
}

async function rollupSeconds(dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  await promisify(execFile)(
    process.execPath,
    [fileURLToPath(new URL('../../cli/gravix.js', import.meta.url)), 'rollup', '--once', '--include-open'],
    { env: { ...process.env, GRAVIX_STORE: 'local', GRAVIX_DATA_DIR: dir, GRAVIX_LOG_LEVEL: 'warn' } },
  );
  return Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(2));
}

async function scenario(withAbuser: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'gx-abuse-bench-'));
  const server = forkMode(['serve', dir, '--rate', String(rate)]);
  const { port } = await message<{ port: number }>(server);
  const abuser = withAbuser
    ? forkMode(['abuse', String(port), '--services', String(abusiveServices)])
    : undefined;
  const abuseDone = abuser ? message<{ sent: number; refused: number }>(abuser) : undefined;
  const body = JSON.stringify(fact('n-1', 'checkout', 1));
  const url = `http://127.0.0.1:${port}/api/v1/facts`;
  const normal = await runWrk({ url, body, connections, seconds, key: 'normal' });
  const abused = abuseDone ? await abuseDone : undefined;
  const memory = rssMiB(server.pid!);
  // Give the last segments time to seal and upload before the rollup reads the store.
  await new Promise((r) => setTimeout(r, 3000));
  server.kill('SIGKILL');
  return {
    withAbuser,
    normalTenant: {
      requestsPerSecond: Math.round(normal.requests / normal.seconds),
      p50Ms: Number(normal.p50Ms.toFixed(2)),
      p99Ms: Number(normal.p99Ms.toFixed(2)),
      non2xx: normal.non2xx,
    },
    abuser: abused && { distinctServicesAccepted: abused.sent, refusedRequests: abused.refused },
    ingestRssMiB: memory,
    rollupSeconds: await rollupSeconds(dir),
  };
}

async function main(): Promise<void> {
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = load();
  const without = await scenario(false);
  const withAbuser = await scenario(true);
  const result = {
    bench: 'abusive-tenant',
    seconds,
    connections,
    abusiveServices,
    ratePerTenant: rate,
    load: { before: loadBefore, after: load() },
    floor: 'the same normal traffic without the abuser, on its own fresh server',
    runs: [without, withAbuser],
    sideBySide: {
      normalP99Ms: { without: without.normalTenant.p99Ms, with: withAbuser.normalTenant.p99Ms },
      rollupSeconds: { without: without.rollupSeconds, with: withAbuser.rollupSeconds },
      ingestPeakRssMiB: { without: without.ingestRssMiB.peak, with: withAbuser.ingestRssMiB.peak },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[2] === 'serve') void serve(process.argv[3]!);
else if (process.argv[2] === 'abuse') void abuse(Number(process.argv[3]));
else void main();
