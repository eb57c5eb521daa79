/**
 * bench/ingest: durable events/s and latency of the ingestion API for batches of
 * 1, 100 and 1000 at 64 connections, printed beside the floors measured in the
 * same run (JSON.parse of the same bodies; write+fdatasync of the same bytes).
 * Load comes from wrk (apt-get install wrk) in its own process, so the client does not eat the server's core.
 * Each batch size gets a 2 s warm-up run first, not counted.
 * Usage: npm run bench:ingest [-- --seconds 5]
 */
import { mkdtempSync, openSync, closeSync, writeSync, fdatasyncSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { loadIngestConfig } from '../../workers/ingest/config.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { startIngestServer } from '../../workers/ingest/ingest-server.js';
import { forkServer } from './fork-server.js';
import { runWrkAfterWarmUp } from './wrk-load.js';

const connections = 64;
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
const warmUpSeconds = 2;

function batchBody(size: number, seq: number): string {
  const now = Date.now();
  const items = Array.from({ length: size }, (_, i) => ({
    event_id: `b${seq}-${i}`,
    timestamp: now,
    service: `svc-${i % 20}`,
    method: 'GET',
    path: `/api/items/${i % 50}`,
    status_code: i % 25 === 0 ? 500 : 200,
    latency_ms: 3 + (i % 97),
  }));
  return JSON.stringify(items);
}

function jsonParseFloor(size: number): number {
  const body = batchBody(size, 0);
  const deadline = Date.now() + 1000;
  let events = 0;
  while (Date.now() < deadline) events += (JSON.parse(body) as unknown[]).length;
  return events;
}

function fsyncFloor(bytes: number): number {
  const path = join(mkdtempSync(join(tmpdir(), 'gx-fsync-')), 'f');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(bytes, 1);
  const deadline = Date.now() + 1000;
  let syncs = 0;
  while (Date.now() < deadline) {
    writeSync(fd, chunk);
    fdatasyncSync(fd);
    syncs += 1;
  }
  closeSync(fd);
  return syncs;
}

async function load(port: number, size: number) {
  const run = await runWrkAfterWarmUp(
    { url: `http://127.0.0.1:${port}/api/v1/facts`, body: batchBody(size, size), connections, seconds },
    warmUpSeconds,
  );
  const ok = run.requests - run.non2xx;
  return {
    batch: size,
    requestsPerSecond: Math.round(run.requests / run.seconds),
    eventsPerSecond: Math.round((ok * size) / run.seconds),
    p50Ms: Number(run.p50Ms.toFixed(2)),
    p99Ms: Number(run.p99Ms.toFixed(2)),
    errors: run.non2xx + run.socketErrors,
  };
}

async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-bench-'));
  const keys = join(dir, 'keys.json');
  writeFileSync(
    keys,
    JSON.stringify({ keys: [{ name: 'bench', tenant: 'bench', sha256: hashApiKey('bench') }] }),
  );
  const config = loadIngestConfig({
    GRAVIX_DATA_DIR: dir,
    GRAVIX_API_KEYS_FILE: keys,
    GRAVIX_INGEST_PORT: '0',
    GRAVIX_INGEST_METRICS_PORT: '0',
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_RATE_PER_SECOND: '100000000',
    GRAVIX_RATE_BURST: '100000000',
    GRAVIX_RATE_BYTES_PER_SECOND: String(1024 ** 4),
    GRAVIX_RATE_BYTES_BURST: String(1024 ** 4),
    GRAVIX_DISK_BUDGET_BYTES: String(64 * 1024 ** 3),
  });
  const server = await startIngestServer(
    config,
    new LocalObjectStore(join(dir, 'store')),
    pino({ level: 'warn' }),
  );
  // A clean exit on SIGINT lets `node --cpu-prof` write its profile when profiling the server.
  process.once('SIGINT', () => process.exit(0));
  process.send?.({ port: server.port });
}

async function main(): Promise<void> {
  const floors = {
    jsonParseEventsPerSecond: jsonParseFloor(1000),
    fsyncPerSecond: fsyncFloor(200 * 1000),
  };
  const server = await forkServer(import.meta.url, ['serve']);
  const runs = [];
  for (const size of [1, 100, 1000]) runs.push(await load(server.port, size));
  server.stop();
  const big = runs.find((r) => r.batch === 1000)!;
  const single = runs.find((r) => r.batch === 1)!;
  const result = {
    bench: 'ingest',
    connections,
    seconds,
    warmUpSeconds,
    floors,
    runs,
    targets: {
      batch1000VsJsonParseFloor: Number((big.eventsPerSecond / floors.jsonParseEventsPerSecond).toFixed(3)),
      batch1000Target: '>= 0.25',
      singleEventRequestsPerSecond: single.requestsPerSecond,
      singleEventTarget: '>= 10000 req/s with p99 < 20 ms',
      singleEventP99Ms: single.p99Ms,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[2] === 'serve') void serve();
else void main();
