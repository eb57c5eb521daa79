import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { hashApiKey } from '../../domain/api-keys.js';
import { RateLimiter } from '../domain/rate-limiter.js';
import { RouteBudget } from '../domain/route-budget.js';
import { buildIngestMetrics } from '../ingest-metrics.js';
import { readSealedRecords } from '../testing/wal-test-records.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { buildIngestListener, type IngestLimits } from './ingest-app.js';
import { staticKeys } from '../../domain/key-ring.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const keys = [
  { name: 'writer', tenant: 'acme', sha256: hashApiKey('w-key'), scopes: ['ingest' as const] },
  { name: 'reader', tenant: 'acme', sha256: hashApiKey('r-key'), scopes: ['query' as const] },
];
const fact = (id: string, overrides: Record<string, unknown> = {}) => ({
  event_id: id,
  timestamp: now - 60_000,
  service: 'checkout',
  method: 'GET',
  path: '/orders/42',
  status_code: 200,
  latency_ms: 10,
  ...overrides,
});

interface Harness {
  url: string;
  wal: WriteAheadLog;
  dir: string;
  close(): Promise<void>;
}

async function startApp(
  limits: Partial<IngestLimits> = {},
  rate = { perSecond: 1000, burst: 1000 },
  byteRate = { perSecond: 1 << 30, burst: 1 << 30 },
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-ingest-'));
  const { wal } = await WriteAheadLog.open({
    dir,
    maxSegmentBytes: 1 << 20,
    maxSegmentAgeMs: 60_000,
    onSealed: () => {},
  });
  const app = buildIngestListener({
    wal,
    keys: staticKeys(keys),
    rates: {
      items: new RateLimiter(rate, () => now),
      bytes: new RateLimiter(byteRate, () => now),
    },
    routes: new RouteBudget(100),
    metrics: buildIngestMetrics(
      () => ({ segments: 0, bytes: 0 }),
      () => wal.diskBytes(),
    ),
    log: pino({ level: 'silent' }),
    limits: {
      maxBodyBytes: 1 << 20,
      maxItemsPerBatch: 100,
      maxJsonDepth: 32,
      diskBudgetBytes: 1 << 30,
      tenantDiskBytes: 1 << 29,
      maxPastMs: 86_400_000,
      maxFutureMs: 3_600_000,
      ...limits,
    },
    now: () => now,
  });
  const server: Server = await new Promise((r) => {
    const s = createServer(app).listen(0, '127.0.0.1', () => r(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    wal,
    dir,
    close: async () => {
      await new Promise((r) => server.close(r));
      await wal.close();
    },
  };
}

const walRecords = (h: Harness) => readSealedRecords(h.wal, h.dir);

const post = (
  h: Harness,
  body: string | Buffer,
  headers: Record<string, string> = {},
  path = '/api/v1/facts',
) =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer w-key', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });

describe('POST /api/v1/facts', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApp();
  });
  afterEach(() => h.close());

  it('answers a JSON array and the same items as NDJSON alike, WAL records included', async () => {
    const items = [
      fact('p1'),
      fact('p2', { method: 'get', latency_ms: 12.5, env: 'prod' }),
      fact('p3', { status_code: 700 }),
      fact('p4', { path: '/users/550e8400-e29b-41d4-a716-446655440000', trace_id: 'café' }),
      fact('p5', { timestamp: new Date(now - 5000).toISOString(), extra: { nested: [1] } }),
    ];
    const asArray = await post(h, JSON.stringify(items));
    const other = await startApp();
    try {
      const asNdjson = await post(other, items.map((i) => JSON.stringify(i)).join('\n'), {
        'content-type': 'application/x-ndjson',
      });
      const [a, b] = [await asArray.json(), await asNdjson.json()];
      expect({ ...a, request_id: 'x' }).toEqual({ ...b, request_id: 'x' });
      expect(a.accepted).toBe(4);
      expect(await walRecords(h)).toEqual(await walRecords(other));
    } finally {
      await other.close();
    }
  });

  it('accepts a JSON array durably and reports per-item rejections by index and field', async () => {
    const res = await post(h, JSON.stringify([fact('a'), fact('b', { status_code: 700 }), fact('c')]));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({
      accepted: 2,
      rejected: [
        {
          index: 1,
          code: 'OUT_OF_RANGE',
          field: 'status_code',
          message: 'status_code must be between 100 and 599, got 700',
        },
      ],
      request_id: res.headers.get('x-request-id'),
    });
    const records = await walRecords(h);
    expect(records.filter((r) => r.kind === 'fact').map((r) => (r.kind === 'fact' ? r.path : ''))).toEqual([
      '/orders/:id',
      '/orders/:id',
    ]);
    expect(records.filter((r) => r.kind === 'rejected')).toHaveLength(1);
  });

  it('accepts a single object, gzip bodies and NDJSON with a broken line rejected on its own', async () => {
    expect((await post(h, JSON.stringify(fact('one')))).status).toBe(200);
    const gz = await post(h, gzipSync(JSON.stringify([fact('gz')])), { 'content-encoding': 'gzip' });
    expect(await gz.json()).toMatchObject({ accepted: 1 });
    const nd = `${JSON.stringify(fact('n1'))}\n{oops\n${JSON.stringify(fact('n2'))}\n`;
    const res = await post(h, nd, { 'content-type': 'application/x-ndjson' });
    expect(await res.json()).toMatchObject({
      accepted: 2,
      rejected: [{ index: 1, code: 'INVALID_JSON', message: 'line for item 1 is not valid JSON' }],
    });
  });

  it('answers a malformed JSON body with 400 and the error body shape', async () => {
    const res = await post(h, '{"event_id":');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error.code).toBe('MALFORMED_BODY');
    expect(body.error.message).toMatch(/^body is not valid JSON: /);
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('answers a corrupt gzip body with 400 MALFORMED_BODY', async () => {
    const res = await post(h, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_BODY');
  });

  it('answers 400 VALIDATION_FAILED with every rejection when no item is valid', async () => {
    const res = await post(h, JSON.stringify([{ nope: 1 }, 5]));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: 'all 2 items were rejected' },
      accepted: 0,
      rejected: [
        { index: 0, code: 'MISSING_FIELD', field: 'event_id' },
        { index: 1, code: 'NOT_AN_OBJECT' },
      ],
    });
  });

  it('answers 401 without a key or with a wrong key, and 403 for a key without the ingest scope', async () => {
    const none = await fetch(`${h.url}/api/v1/facts`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toBe(
      'an API key is required (Authorization: Bearer <key> or X-API-Key)',
    );
    expect((await post(h, '{}', { authorization: 'Bearer wrong' })).status).toBe(401);
    const viaHeader = await fetch(`${h.url}/api/v1/facts`, {
      method: 'POST',
      headers: { 'x-api-key': 'w-key', 'content-type': 'application/json' },
      body: JSON.stringify(fact('x')),
    });
    expect(viaHeader.status).toBe(200);
    const reader = await post(h, '{}', { authorization: 'Bearer r-key' });
    expect(reader.status).toBe(403);
    expect(((await reader.json()) as { error: { message: string } }).error.message).toBe(
      "the API key 'reader' (scopes query) may not call this route: it needs 'ingest'",
    );
  });

  it('answers 413 for a batch over the item limit', async () => {
    const res = await post(h, JSON.stringify(Array.from({ length: 101 }, (_, i) => fact(`e${i}`))));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'batch holds 101 items; the limit is 100',
    );
  });

  it('accepts deploy events on /api/v1/events', async () => {
    const res = await post(
      h,
      JSON.stringify({ type: 'deploy', service: 'checkout', version: 'v2', timestamp: now }),
      {},
      '/api/v1/events',
    );
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    const [event] = (await walRecords(h)).filter((r) => r.kind === 'event');
    expect(event).toMatchObject({
      type: 'deploy',
      service: 'checkout',
      version: 'v2',
      event_id: expect.stringMatching(/^derived-/),
    });
  });
});

describe('the hot lane and express', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApp();
  });
  afterEach(() => h.close());

  /** Status, headers that matter and body, with the request id (new per request) left out. */
  const answer = async (res: Response) => {
    const body = (await res.json()) as Record<string, unknown>;
    const error = body['error'] as Record<string, unknown> | undefined;
    if (error) delete error['request_id'];
    delete body['request_id'];
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      retryAfter: res.headers.get('retry-after'),
      hasRequestId: res.headers.get('x-request-id') !== null,
      body,
    };
  };

  it('answers the batch URLs with a query string (served by express) exactly as the canonical ones', async () => {
    const bodies = [
      JSON.stringify([fact('x1'), fact('x2', { status_code: 700 })]),
      '{not json',
      JSON.stringify([fact('x3', { latency_ms: -1 })]),
    ];
    for (const body of bodies) {
      const canonical = await answer(await post(h, body));
      expect(await answer(await post(h, body, {}, '/api/v1/facts?source=sdk'))).toEqual(canonical);
    }
  });

  it('answers another case or a trailing slash of a batch URL with the 404 error body', async () => {
    const body = JSON.stringify([fact('spelled')]);
    for (const spelling of [
      '/api/v1/facts/',
      '/API/v1/facts',
      '/API/V1/FACTS',
      '/api/v1/Events',
      '/V1/traces',
    ]) {
      const res = await post(h, body, {}, spelling);
      expect([spelling, res.status]).toEqual([spelling, 404]);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({
        code: 'NOT_FOUND',
        message: `no route for POST ${spelling}`,
      });
    }
    const unauthenticated = await fetch(`${h.url}/api/v1/events/`, {
      method: 'POST',
      body: '[]',
      headers: { 'content-type': 'application/json' },
    });
    expect(unauthenticated.status).toBe(404);
  });

  it('keeps the other routes on express: 404 with the error body, 405 for another method, /live', async () => {
    const missing = await fetch(`${h.url}/api/v1/nope`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    // The path exists, the method does not (it was a 404 that said there was no route).
    const wrongMethod = await fetch(`${h.url}/api/v1/facts`);
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'POST']);
    expect(await (await fetch(`${h.url}/live`)).json()).toEqual({ status: 'ok' });
  });
});

describe('ingest back-pressure', () => {
  it('answers 429 with Retry-After when a key is over its rate', async () => {
    const h = await startApp({}, { perSecond: 1, burst: 2 });
    try {
      expect((await post(h, JSON.stringify([fact('a'), fact('b')]))).status).toBe(200);
      const res = await post(h, JSON.stringify(fact('c')));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await h.close();
    }
  });

  it('answers 503 with Retry-After once the disk buffer is over budget', async () => {
    const h = await startApp({ diskBudgetBytes: 1 });
    try {
      expect((await post(h, JSON.stringify(fact('a')))).status).toBe(200);
      const res = await post(h, JSON.stringify(fact('b')));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('DISK_BUFFER_FULL');
    } finally {
      await h.close();
    }
  });
});

describe("a tenant's raw retention bounds how old its facts may be", () => {
  it('refuses a fact older than the tenant raw retention allows, on every body form, and takes a younger one', async () => {
    // acme keeps raw data 2 hours: a 3-hour-old fact would land in a raw partition the rollup may have retired,
    // kept but never counted, so it is refused like any fact outside the window.
    const h = await startApp({
      maxPastMs: 7 * 86_400_000,
      maxPastMsOf: (tenant) => (tenant === 'acme' ? 2 * 3_600_000 : undefined),
    });
    try {
      const old = fact('old', { timestamp: now - 3 * 3_600_000 });
      const young = fact('young', { timestamp: now - 3_600_000 });
      const expected = {
        accepted: 1,
        rejected: [
          {
            index: 0,
            code: 'OUT_OF_RANGE',
            field: 'timestamp',
            message: `timestamp must be between 2026-11-23T10:00:00.000Z and 2026-11-23T13:00:00.000Z, got ${now - 3 * 3_600_000}`,
          },
        ],
      };
      const asArray = await post(h, JSON.stringify([old, young]));
      expect({ ...(await asArray.json()), request_id: undefined }).toEqual(expected);
      const asNdjson = await post(h, [old, young].map((i) => JSON.stringify(i)).join('\n'), {
        'content-type': 'application/x-ndjson',
      });
      expect({ ...(await asNdjson.json()), request_id: undefined }).toEqual(expected);
    } finally {
      await h.close();
    }
  });
});
