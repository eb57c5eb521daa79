/**
 * bench/ingest: durable events/s and latency of the ingestion API for batches of
 * 1, 100 and 1000 at 64 connections, printed beside the floors measured in the
 * same run (JSON.parse of the same bodies; write+fdatasync of the same bytes).
 * Usage: npm run build && node dist/bench/ingest/ingest-bench.js [--seconds 5]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeSync, fdatasyncSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { LocalObjectStore } from '../../workers/adapters/object-store/local-object-store.js';
import { loadIngestConfig } from '../../workers/ingest/config.js';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { startIngestServer } from '../../workers/ingest/ingest-server.js';

const connections = 64;
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;

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

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function load(port: number, size: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const bodies = Array.from({ length: 16 }, (_, i) => batchBody(size, i));
  const latencies: number[] = [];
  let events = 0;
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const one = (body: string) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          port,
          host: '127.0.0.1',
          path: '/api/v1/facts',
          method: 'POST',
          agent,
          headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const worker = async (w: number) => {
    for (let i = w; Date.now() < deadline; i += 1) {
      const started = performance.now();
      const status = await one(bodies[i % bodies.length]!);
      latencies.push(performance.now() - started);
      if (status === 200) events += size;
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    batch: size,
    requestsPerSecond: Math.round(latencies.length / seconds),
    eventsPerSecond: Math.round(events / seconds),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(2)),
    errors,
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
    GRAVIX_INGEST_HOST: '127.0.0.1',
    GRAVIX_RATE_PER_SECOND: '100000000',
    GRAVIX_RATE_BURST: '100000000',
    GRAVIX_DISK_BUDGET_BYTES: String(64 * 1024 ** 3),
  });
  const server = await startIngestServer(
    config,
    new LocalObjectStore(join(dir, 'store')),
    pino({ level: 'warn' }),
  );
  process.send?.({ port: server.port });
}

async function main(): Promise<void> {
  const floors = {
    jsonParseEventsPerSecond: jsonParseFloor(1000),
    fsyncPerSecond: fsyncFloor(200 * 1000),
  };
  const child = fork(fileURLToPath(import.meta.url), ['serve']);
  const port = await new Promise<number>((r) =>
    child.once('message', (m) => r((m as { port: number }).port)),
  );
  const runs = [];
  for (const size of [1, 100, 1000]) runs.push(await load(port, size));
  child.kill('SIGKILL');
  const big = runs.find((r) => r.batch === 1000)!;
  const single = runs.find((r) => r.batch === 1)!;
  const result = {
    bench: 'ingest',
    connections,
    seconds,
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
