import { request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { protoSchemas } from '../otlp/proto-schemas.js';
import { TenantTurns } from '../domain/tenant-turns.js';
import { startIngestAppHarness, type IngestAppHarness } from '../testing/ingest-app-harness.js';
import { serverSpan, toProtobuf, traceRequest } from '../testing/otlp-trace-requests.js';
import { deepAnyValueTraceRequest } from '../testing/deep-protobuf.js';

/**
 * Issue #17: POST /v1/traces goes through every per-tenant limit POST /api/v1/facts does (docs/ingest-limits.md):
 * the item and byte rates (one bucket per tenant, shared with facts and across its keys), the turns at reading and
 * parsing, the disk-buffer share, the body size (decompressed too) and the nesting limit. Each case has a
 * neighbour tenant that keeps writing. In-process server over real sockets, real WAL.
 */
const now = Date.parse('2026-11-23T12:00:00Z');
const t0 = now - 60_000;

const post = (h: IngestAppHarness, path: string, key: string, body: Buffer | string, type: string) =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
const spans = (h: IngestAppHarness, key: string, n: number, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/traces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(traceRequest(Array.from({ length: n }, () => serverSpan(t0, 3)))),
  });
const facts = (h: IngestAppHarness, key: string, n: number) =>
  post(
    h,
    '/api/v1/facts',
    key,
    JSON.stringify(
      Array.from({ length: n }, (_, i) => ({
        event_id: `f${Math.random()}-${i}`,
        timestamp: t0,
        service: 'checkout',
        method: 'GET',
        path: '/orders',
        status_code: 200,
        latency_ms: 1,
      })),
    ),
    'application/json',
  );
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

/** Headers and a first byte of a /v1/traces body declared `bytes` long; the rest is held back. */
function openUnfinishedExport(h: IngestAppHarness, key: string, body: Buffer) {
  const req = request({
    host: '127.0.0.1',
    port: new URL(h.url).port,
    method: 'POST',
    path: '/v1/traces',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/x-protobuf',
      'content-length': body.length,
    },
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, 1));
  return { finish: () => req.end(body.subarray(1)), answered };
}

/** Polls the server's state (not time): generous for a loaded machine. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

let h: IngestAppHarness;
afterEach(() => h?.close());

describe('POST /v1/traces under the per-tenant limits of POST /api/v1/facts', () => {
  it("draws on the tenant's one item bucket, shared with facts and its other keys; the neighbour's spans land", async () => {
    h = await startIngestAppHarness({ now, itemRate: { perSecond: 1, burst: 4 } });
    expect((await facts(h, 'w-key', 3)).status).toBe(200);
    const refused = await spans(h, 'w-key-2', 2);
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatchObject({
      code: 'RATE_LIMITED',
      message: "tenant 'acme' is over its rate limit of items per second",
    });
    expect((await spans(h, 'g-key', 4)).status).toBe(200);
    expect((await h.records()).filter((r) => r.tenant === 'globex')).toHaveLength(4);
  });

  it('charges body bytes to the same bucket as facts: a declared length before the body is read, a chunked body once read', async () => {
    h = await startIngestAppHarness({ now, byteRate: { perSecond: 1, burst: 3000 } });
    const body = Buffer.from(JSON.stringify(traceRequest([serverSpan(t0, 3)])));
    // Declared and over what is left: answered while the body is still unsent.
    const held = request({
      host: '127.0.0.1',
      port: new URL(h.url).port,
      method: 'POST',
      path: '/v1/traces',
      headers: { authorization: 'Bearer w-key', 'content-type': 'application/json', 'content-length': 5000 },
    });
    const early = new Promise<number>((resolve, reject) => {
      held.on('response', (res) => resolve(res.statusCode ?? 0)).on('error', reject);
      setTimeout(() => reject(new Error('no answer within 5 s: the body was waited for')), 5000).unref();
    });
    held.write('{');
    expect(await early).toBe(429);
    held.destroy();
    // Facts spend most of the bucket; a chunked export (no length to charge in advance) is charged once read.
    expect((await facts(h, 'w-key', 10)).status).toBe(200);
    const chunked = await fetch(`${h.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer w-key-2', 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 3; i++) controller.enqueue(body);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(429);
    expect((await errorOf(chunked)).message).toBe("tenant 'acme' is over its rate limit of bytes per second");
    expect((await post(h, '/v1/traces', 'g-key', body, 'application/json')).status).toBe(200);
  });

  it("takes one of the tenant's turns, shared with facts: a neighbour's export is admitted while the abuser holds them all", async () => {
    const turns = new TenantTurns(2, 2);
    h = await startIngestAppHarness({ now, turns });
    const bodies = [0, 1, 2, 3].map(() => toProtobuf(traceRequest([serverSpan(t0, 2)])));
    const holding = bodies.map((body) => openUnfinishedExport(h, 'w-key', body));
    await waitFor(() => turns.snapshot('acme').waiting === 2);
    expect(turns.snapshot('acme')).toEqual({ active: 2, waiting: 2 });
    const neighbour = await post(h, '/v1/traces', 'g-key', bodies[0]!, 'application/x-protobuf');
    expect(neighbour.status).toBe(200);
    // The abuser's next export, and its next fact batch, are refused unread: the turns are the tenant's.
    const refusedExport = await post(h, '/v1/traces', 'w-key-2', bodies[0]!, 'application/x-protobuf');
    expect(refusedExport.status).toBe(429);
    expect(refusedExport.headers.get('retry-after')).toBe('1');
    const status = protoSchemas().status.decode(new Uint8Array(await refusedExport.arrayBuffer()));
    expect(status).toMatchObject({ code: 8 });
    expect((status as unknown as { message: string }).message).toMatch(
      /^TOO_MANY_REQUESTS_IN_FLIGHT: tenant 'acme' has 4 batches in flight on this ingester; retry later/,
    );
    const refusedFacts = await facts(h, 'w-key', 1);
    expect([refusedFacts.status, (await errorOf(refusedFacts)).code]).toEqual([
      429,
      'TOO_MANY_REQUESTS_IN_FLIGHT',
    ]);
    // Nothing held is lost: as each body completes, the next waiter gets the turn.
    for (const p of holding) p.finish();
    expect(await Promise.all(holding.map((p) => p.answered))).toEqual([200, 200, 200, 200]);
    expect(turns.snapshot('acme')).toEqual({ active: 0, waiting: 0 });
    const records = await h.records();
    expect([records.filter((r) => r.tenant === 'acme').length, records.length]).toEqual([4, 5]);
  });

  it("answers 503 once the tenant's share of the disk buffer is full, while the neighbour keeps exporting", async () => {
    h = await startIngestAppHarness({ now, limits: { diskBudgetBytes: 1 << 20, tenantDiskBytes: 20_000 } });
    let status = 200;
    for (let sent = 0; status === 200 && sent < 200; sent++) status = (await spans(h, 'w-key', 20)).status;
    expect(status).toBe(503);
    expect(h.wal.ownerBytes('acme')).toBeGreaterThanOrEqual(20_000);
    const refused = await spans(h, 'w-key-2', 1);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
    expect((await errorOf(refused)).message).toBe(
      "tenant 'acme' has filled its share of the local buffer (20000 bytes) while uploads catch up; retry later",
    );
    // Facts of the same tenant are refused by the same share.
    expect((await facts(h, 'w-key', 1)).status).toBe(503);
    for (let i = 0; i < 3; i++) expect((await spans(h, 'g-key', 20)).status).toBe(200);
    expect((await fetch(`${h.url}/ready`)).status).toBe(200);
  });

  it('answers 413 for a body over the size limit, sent or decompressed (gzip and deflate bombs), writing nothing', async () => {
    h = await startIngestAppHarness({ now, limits: { maxBodyBytes: 64 << 10 } });
    const zeros = Buffer.alloc(8 << 20, 0x20);
    const answers: [number, string][] = [];
    for (const [encoding, body] of [
      ['identity', Buffer.alloc(100 << 10, 0x20)],
      ['gzip', gzipSync(zeros)],
      ['deflate', deflateSync(zeros)],
    ] as const) {
      expect(body.length < 64 << 10 || encoding === 'identity').toBe(true);
      const res = await fetch(`${h.url}/v1/traces`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer w-key',
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body: new Uint8Array(body),
      });
      answers.push([res.status, (await errorOf(res)).message]);
    }
    expect(answers).toEqual([
      [413, 'body is larger than the limit of 65536 bytes'],
      [413, 'decompressed gzip body is larger than the limit of 65536 bytes'],
      [413, 'decompressed deflate body is larger than the limit of 65536 bytes'],
    ]);
    expect(await h.records()).toEqual([]);
  });

  it('answers 400 NESTING_TOO_DEEP for OTLP/JSON and protobuf nested past the limit, before mapping a span', async () => {
    h = await startIngestAppHarness({ now });
    const deepJson = `{"resourceSpans":[${'['.repeat(50_000)}${']'.repeat(50_000)}]}`;
    const viaJson = await post(h, '/v1/traces', 'w-key', deepJson, 'application/json');
    expect([viaJson.status, (await errorOf(viaJson)).code]).toEqual([400, 'NESTING_TOO_DEEP']);
    // AnyValue nests through array and kvlist values without end in protobuf too: 100,000 levels in ~600 KB.
    for (const depth of [100_000, 40]) {
      const res = await post(
        h,
        '/v1/traces',
        'w-key',
        deepAnyValueTraceRequest(depth),
        'application/x-protobuf',
      );
      const status = protoSchemas().status.decode(new Uint8Array(await res.arrayBuffer()));
      expect([depth, res.status, (status as unknown as { message: string }).message]).toEqual([
        depth,
        400,
        expect.stringMatching(/^NESTING_TOO_DEEP: body nests messages deeper than the limit of 32 /),
      ]);
    }
    // Within the limit the attribute is an ordinary one.
    const shallow = await post(
      h,
      '/v1/traces',
      'w-key',
      deepAnyValueTraceRequest(8),
      'application/x-protobuf',
    );
    expect(shallow.status).toBe(200);
    expect(await h.records()).toHaveLength(1);
    expect((await spans(h, 'g-key', 1)).status).toBe(200);
  });
});
