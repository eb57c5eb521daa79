/**
 * bench/ingest/otlp: spans per second from an OTLP/HTTP protobuf request to the write-ahead log (fsynced, the
 * 200 sent), for 1000-span requests, next to the floor of protobuf decoding alone (protobufjs decoding the same
 * request in a loop, nothing else) and the mapping without HTTP (decode + map + WAL frame encoding). The target
 * (issue #21) is >= 0.3x the decode floor. The client runs in the same process (it costs the server CPU), so
 * the end-to-end figure is conservative; the machine load is printed beside the figures.
 * Usage: npm run build && node dist/bench/ingest/otlp-bench.js [--seconds 5] [--concurrency 4]
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashApiKey } from '../../workers/domain/api-keys.js';
import { staticKeys } from '../../workers/domain/key-ring.js';
import { RateLimiter } from '../../workers/ingest/domain/rate-limiter.js';
import { RouteBudget } from '../../workers/ingest/domain/route-budget.js';
import { buildIngestListener } from '../../workers/ingest/http/ingest-app.js';
import { buildIngestMetrics } from '../../workers/ingest/ingest-metrics.js';
import { mapTraceRequest } from '../../workers/ingest/otlp/map-trace-request.js';
import { protoSchemas } from '../../workers/ingest/otlp/proto-schemas.js';
import { encodeWalFrame, WriteAheadLog } from '../../workers/ingest/wal/write-ahead-log.js';

const arg = (name: string, fallback: number) =>
  Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || fallback;
const seconds = arg('seconds', 5);
const concurrency = arg('concurrency', 4);
const spansPerRequest = 1000;

const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'number' ? { intValue: value } : { stringValue: value },
});

/** 1000 spans as an instrumented HTTP service sends them: 70% SERVER spans with 8 attributes, the rest internal. */
function buildRequest(seed: number): Buffer {
  const start = BigInt(Date.now() - 30_000) * 1_000_000n;
  const spans = Array.from({ length: spansPerRequest }, (_, i) => {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(seed, 0);
    id.writeUInt32BE(i + 1, 12);
    const server = i % 10 < 7;
    return {
      traceId: id,
      spanId: id.subarray(8),
      name: server ? 'GET /orders/:id' : 'db.query',
      kind: server ? 2 : 1,
      startTimeUnixNano: String(start + BigInt(i) * 1000n),
      endTimeUnixNano: String(start + BigInt(i) * 1000n + BigInt(1_000_000 + i * 997)),
      attributes: server
        ? [
            kv('http.request.method', 'GET'),
            kv('http.route', `/orders/:id/${i % 20}`),
            kv('http.response.status_code', i % 50 === 0 ? 503 : 200),
            kv('url.path', `/orders/${i}/${i % 20}`),
            kv('server.address', 'shop.example'),
            kv('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) bench'),
            kv('network.protocol.version', '1.1'),
            kv('client.address', '10.0.0.7'),
          ]
        : [kv('db.system', 'postgresql'), kv('db.statement', 'SELECT 1')],
      status: {},
    };
  });
  const type = protoSchemas().exportTraceRequest;
  const message = type.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'checkout'), kv('service.version', '1.4.2')] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
  return Buffer.from(type.encode(message).finish());
}

function timeLoop(work: () => void): number {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    work();
    n += 1;
  }
  return n;
}

async function startServer() {
  const { wal } = await WriteAheadLog.open({
    dir: mkdtempSync(join(tmpdir(), 'gx-otlp-bench-')),
    maxSegmentBytes: 64 << 20,
    maxSegmentAgeMs: 60_000,
    onSealed: () => {},
  });
  const listener = buildIngestListener({
    wal,
    keys: staticKeys([{ name: 'k', tenant: 'bench', sha256: hashApiKey('k'), scopes: ['ingest'] }]),
    rates: {
      items: new RateLimiter({ perSecond: 1e9, burst: 1e9 }),
      bytes: new RateLimiter({ perSecond: 1e12, burst: 1e12 }),
    },
    routes: new RouteBudget(500),
    metrics: buildIngestMetrics(
      () => ({ segments: 0, bytes: 0 }),
      () => wal.diskBytes(),
    ),
    log: pino({ level: 'silent' }),
    limits: {
      maxBodyBytes: 32 << 20,
      maxItemsPerBatch: 10_000,
      maxJsonDepth: 32,
      diskBudgetBytes: 8 << 30,
      tenantDiskBytes: 8 << 30,
      maxPastMs: 86_400_000,
      maxFutureMs: 3_600_000,
    },
  });
  const server = await new Promise<ReturnType<typeof createServer>>((r) => {
    const s = createServer(listener).listen(0, '127.0.0.1', () => r(s));
  });
  return { server, wal, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` };
}

async function endToEnd(bodies: Buffer[]): Promise<number> {
  const { server, wal, url } = await startServer();
  let requests = 0;
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  const client = async (c: number) => {
    for (let i = c; performance.now() < end; i += concurrency) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/x-protobuf' },
        body: new Blob([new Uint8Array(bodies[i % bodies.length]!)]),
      });
      await res.arrayBuffer();
      if (res.status === 200) requests += 1;
      else failures += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, c) => client(c)));
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((r) => server.close(r));
  await wal.close();
  if (failures > 0) throw new Error(`${failures} requests were not answered 200`);
  return (requests * spansPerRequest) / elapsed;
}

async function main() {
  const bodies = Array.from({ length: 8 }, (_, i) => buildRequest(i + 1));
  const type = protoSchemas().exportTraceRequest;
  const body = bodies[0]!;
  timeLoop(() => type.decode(body)); // warm-up: compile and optimise the decoder
  const decodeFloor = (timeLoop(() => type.decode(body)) * spansPerRequest) / seconds;
  const routes = new RouteBudget(500);
  const window = { now: Date.now(), maxPastMs: 86_400_000, maxFutureMs: 3_600_000 };
  const mapOnly =
    (timeLoop(() => {
      const mapped = mapTraceRequest(type.decode(body), { tenant: 'bench', window, routes }, window.now);
      encodeWalFrame(mapped.records);
    }) *
      spansPerRequest) /
    seconds;
  const pipeline = await endToEnd(bodies);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'otlp-traces',
      spansPerRequest,
      serverSpanShare: 0.7,
      requestBytes: body.length,
      seconds,
      concurrency,
      decodeFloorSpansPerSecond: Math.round(decodeFloor),
      decodeMapEncodeSpansPerSecond: Math.round(mapOnly),
      endToEndSpansPerSecond: Math.round(pipeline),
      ratioToDecodeFloor: Number((pipeline / decodeFloor).toFixed(3)),
      target: 0.3,
      loadavg: loadavg().map((l) => Number(l.toFixed(2))),
    })}\n`,
  );
}

await main();
