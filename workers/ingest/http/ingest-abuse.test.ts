import { mkdtempSync } from 'node:fs';
import { Agent, createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashApiKey } from '../../domain/api-keys.js';
import { RateLimiter, type RateLimit } from '../domain/rate-limiter.js';
import { overflowService } from '../../domain/request-vocabulary.js';
import { RouteBudget } from '../domain/route-budget.js';
import { TenantTurns } from '../domain/tenant-turns.js';
import { FairCpuTurns } from '../domain/fair-cpu-turns.js';
import { buildIngestMetrics } from '../ingest-metrics.js';
import { readSealedRecords } from '../testing/wal-test-records.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { buildIngestListener, buildIngestMetricsListener, type IngestLimits } from './ingest-app.js';
import { staticKeys } from '../../domain/key-ring.js';

/**
 * Issue #17 items 2, 4 and 5 at the HTTP edge: what an abusive or careless client can send, and what it costs
 * the other tenants (nothing). In-process server over real sockets, real WAL.
 */
/** The servers' clock: one test moves it (and puts it back). */
let now = Date.parse('2026-11-23T12:00:00Z');
const keys = [
  { name: 'acme-1', tenant: 'acme', sha256: hashApiKey('acme-1'), scopes: ['ingest' as const] },
  { name: 'acme-2', tenant: 'acme', sha256: hashApiKey('acme-2'), scopes: ['ingest' as const] },
  { name: 'globex', tenant: 'globex', sha256: hashApiKey('globex'), scopes: ['ingest' as const] },
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

interface Options {
  limits?: Partial<IngestLimits>;
  items?: RateLimit;
  bytes?: RateLimit;
  servicesPerTenant?: number;
  turns?: TenantTurns;
  cpuTurns?: FairCpuTurns;
}

interface Harness {
  url: string;
  wal: WriteAheadLog;
  dir: string;
  metricsUrl: string;
  close(): Promise<void>;
}

const listen = (listener: RequestListener) =>
  new Promise<Server>((r) => {
    const s = createServer(listener).listen(0, '127.0.0.1', () => r(s));
  });
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

async function startApp(options: Options = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-abuse-'));
  const { wal } = await WriteAheadLog.open({
    dir,
    maxSegmentBytes: 1 << 20,
    maxSegmentAgeMs: 60_000,
    onSealed: () => {},
  });
  const metrics = buildIngestMetrics(
    () => ({ segments: 0, bytes: 0 }),
    () => wal.diskBytes(),
  );
  const listener = buildIngestListener({
    wal,
    keys: staticKeys(keys),
    rates: {
      items: new RateLimiter(options.items ?? { perSecond: 1e6, burst: 1e6 }, () => now),
      bytes: new RateLimiter(options.bytes ?? { perSecond: 1e9, burst: 1e9 }, () => now),
    },
    routes: new RouteBudget(100, { servicesPerTenant: options.servicesPerTenant ?? 1000 }),
    turns: options.turns,
    ...(options.cpuTurns && { cpuTurns: options.cpuTurns }),
    metrics,
    log: pino({ level: 'silent' }),
    limits: {
      maxBodyBytes: 1 << 20,
      maxItemsPerBatch: 100,
      maxJsonDepth: 32,
      diskBudgetBytes: 1 << 30,
      tenantDiskBytes: 1 << 29,
      maxPastMs: 86_400_000,
      maxFutureMs: 3_600_000,
      ...options.limits,
    },
    now: () => now,
  });
  const [server, metricsServer] = [
    await listen(listener),
    await listen(buildIngestMetricsListener(metrics, pino({ level: 'silent' }))),
  ];
  return {
    url: urlOf(server),
    metricsUrl: urlOf(metricsServer),
    wal,
    dir,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await new Promise((r) => metricsServer.close(r));
      await wal.close();
    },
  };
}

const walRecords = (h: Harness) => readSealedRecords(h.wal, h.dir);

const post = (
  h: Harness,
  body: string | Buffer,
  key = 'acme-1',
  headers: Record<string, string> = {},
  path = '/api/v1/facts',
) =>
  fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });

type Answer = {
  accepted?: number;
  rejected?: { index: number; code: string; field?: string; message: string }[];
  error?: { code: string; message: string; field?: string };
};

let h: Harness;
afterEach(() => h?.close());

describe('text fields follow the one text rule on every ingest path', () => {
  it.each([
    ['service', { service: 'check\u0000out' }, 'service must not contain control characters (U+0000 at 5)'],
    ['path', { path: '/orders/\u001b[2J' }, 'path must not contain control characters (U+001B at 8)'],
    ['method', { method: 'GET\u0000' }, 'method must not contain control characters (U+0000 at 3)'],
    ['event_id', { event_id: 'e\u007f' }, 'event_id must not contain control characters (U+007F at 1)'],
    ['env', { env: 'prod\u0085' }, 'env must not contain control characters (U+0085 at 4)'],
    ['trace_id', { trace_id: 'ab\uD800' }, 'trace_id must be valid Unicode (it has a lone surrogate)'],
    [
      'service',
      { service: 'checkout\u202Etuo' },
      'service must not contain invisible format characters (U+202E at 8)',
    ],
    ['path', { path: '/orders\u200B/x' }, 'path must not contain invisible format characters (U+200B at 7)'],
    ['method', { method: '\uFEFFGET' }, 'method must not contain invisible format characters (U+FEFF at 0)'],
    [
      'version',
      { version: 'v1\u2066' },
      'version must not contain invisible format characters (U+2066 at 2)',
    ],
  ])(
    'refuses a control character, format character or lone surrogate in %s with a 400 naming the field',
    async (field, o, message) => {
      h = await startApp();
      const bodies = [
        JSON.stringify(fact('x', o)),
        JSON.stringify([fact('x', o)]),
        `${JSON.stringify(fact('x', o))}\n`,
      ];
      for (const [i, body] of bodies.entries()) {
        const res = await post(h, body, 'acme-1', i === 2 ? { 'content-type': 'application/x-ndjson' } : {});
        expect(res.status).toBe(400);
        const answer = (await res.json()) as Answer;
        expect(answer.error?.code).toBe('VALIDATION_FAILED');
        expect(answer.rejected).toEqual([{ index: 0, code: 'INVALID_VALUE', field, message }]);
      }
    },
  );

  it('refuses invalid UTF-8 inside a string value naming its field, on the byte-level and generic paths', async () => {
    h = await startApp();
    const good = JSON.stringify(fact('ok'));
    const bad = Buffer.concat([
      Buffer.from(JSON.stringify(fact('bad', { service: 'svcX' })).split('svcX')[0]!),
      Buffer.from([0x73, 0xc3, 0x28, 0xff]),
      Buffer.from(JSON.stringify(fact('bad', { service: 'svcX' })).split('svcX')[1]!),
    ]);
    // A JSON array (the byte-level path scans it) and NDJSON with a broken line (the generic path).
    const asArray = Buffer.concat([
      Buffer.from('['),
      bad,
      Buffer.from(','),
      Buffer.from(good),
      Buffer.from(']'),
    ]);
    const asLines = Buffer.concat([bad, Buffer.from('\n'), Buffer.from(good), Buffer.from('\n{oops\n')]);
    const service = { code: 'INVALID_VALUE', field: 'service' };
    const array = (await (await post(h, asArray)).json()) as Answer;
    expect(array.accepted).toBe(1);
    expect(array.rejected).toEqual([expect.objectContaining({ index: 0, ...service })]);
    expect(array.rejected?.[0]?.message).toBe('service must be valid Unicode (it has a lone surrogate)');
    const lines = (await (
      await post(h, asLines, 'acme-1', { 'content-type': 'application/x-ndjson' })
    ).json()) as Answer;
    expect(lines.accepted).toBe(1);
    expect(lines.rejected?.[0]).toEqual(expect.objectContaining({ index: 0, ...service }));
    // Nothing with the bad bytes (nor a silent U+FFFD) was accepted.
    const facts = (await walRecords(h)).filter((r) => r.kind === 'fact');
    expect(facts.map((f) => (f as { service: string }).service)).toEqual(['checkout', 'checkout']);
  });

  it('refuses control characters in service events too', async () => {
    h = await startApp();
    const event = { type: 'deploy', service: 'api\u0000', timestamp: now - 1000 };
    const res = await post(h, JSON.stringify(event), 'acme-1', {}, '/api/v1/events');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Answer).rejected?.[0]).toEqual(
      expect.objectContaining({ code: 'INVALID_VALUE', field: 'service' }),
    );
  });
});

describe('bodies that used to cost a 500 or the WAL', () => {
  it('answers 400 NESTING_TOO_DEEP for nesting past the limit, in an item or as the whole body', async () => {
    h = await startApp();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const answers: { status: number; error: unknown }[] = [];
    for (const body of [
      `[${JSON.stringify(fact('a')).slice(0, -1)},"x":${deep(20_000)}}]`,
      `{"event_id":"a","x":${deep(40)}}`,
      // Rejected (no fields): its dead letter used to be JSON.stringify-ed into a stack overflow, a 500.
      `[{"x":${deep(100_000)}}]`,
      deep(200_000),
    ]) {
      const res = await post(h, body);
      const { error } = (await res.json()) as Answer;
      answers.push({ status: res.status, error: error && { ...error, request_id: 'r' } });
    }
    const refused = {
      code: 'NESTING_TOO_DEEP',
      message: 'body nests arrays and objects deeper than the limit of 32',
      request_id: 'r',
    };
    expect(answers).toEqual(Array(4).fill({ status: 400, error: refused }));
    // Nesting within the limit is still an ordinary item.
    const ok = await post(h, JSON.stringify([fact('b', { x: JSON.parse(deep(10)) })]));
    expect(((await ok.json()) as Answer).accepted).toBe(1);
  });

  it('cuts a rejected item to 8192 characters of JSON before it reaches the WAL', async () => {
    h = await startApp();
    const huge = fact('h', { status_code: 999, blob: 'x'.repeat(500_000) });
    const res = await post(h, JSON.stringify([huge, fact('ok')]));
    expect(((await res.json()) as Answer).accepted).toBe(1);
    const [dead] = (await walRecords(h)).filter((r) => r.kind === 'rejected');
    const item = (dead as { item: unknown }).item;
    expect(typeof item).toBe('string');
    expect(item).toBe(`${JSON.stringify(huge).slice(0, 8192)}…`);
  });
});

describe('abuse costs the abuser, not the neighbours', () => {
  it('counts the item rate per tenant: a second key of the same tenant does not get a second bucket', async () => {
    h = await startApp({ items: { perSecond: 1, burst: 3 } });
    expect((await post(h, JSON.stringify([fact('a'), fact('b'), fact('c')]), 'acme-1')).status).toBe(200);
    const second = await post(h, JSON.stringify(fact('d')), 'acme-2');
    expect(second.status).toBe(429);
    expect(((await second.json()) as Answer).error?.message).toBe(
      "tenant 'acme' is over its rate limit of items per second",
    );
    expect((await post(h, JSON.stringify(fact('e')), 'globex')).status).toBe(200);
  });

  it('counts bytes too: small batches of large items are limited by their size', async () => {
    h = await startApp({ bytes: { perSecond: 1000, burst: 4000 } });
    const big = JSON.stringify(fact('a', { trace_id: 't'.repeat(120), version: 'v'.repeat(120) }));
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) codes.push((await post(h, big)).status);
    expect(codes.filter((c) => c === 200).length).toBe(Math.floor(4000 / Buffer.byteLength(big)));
    const refused = await post(h, big);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as Answer).error?.message).toBe(
      "tenant 'acme' is over its rate limit of bytes per second",
    );
    expect((await post(h, big, 'globex')).status).toBe(200);
  });

  it('refuses a declared body over the byte rate before reading it: the answer comes while the body is unsent', async () => {
    h = await startApp({ bytes: { perSecond: 100, burst: 1000 } });
    const { port } = new URL(h.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/facts',
        headers: {
          authorization: 'Bearer acme-1',
          'content-type': 'application/json',
          'content-length': 5000,
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Only the headers and a first byte: a server that waited for the body would never answer.
      req.write('[');
      setTimeout(() => reject(new Error('no answer within 3 s: the body was waited for')), 3000).unref();
    });
    expect(answer.status).toBe(429);
    expect(JSON.parse(answer.body).error.code).toBe('RATE_LIMITED');
  });

  it('gives each tenant its own share of the disk buffer: the one that filled its share gets 503, the other writes', async () => {
    h = await startApp({ limits: { diskBudgetBytes: 1 << 20, tenantDiskBytes: 40_000 } });
    const batch = (p: string) => JSON.stringify(Array.from({ length: 50 }, (_, i) => fact(`${p}${i}`)));
    let status = 200;
    let sent = 0;
    while (status === 200 && sent < 100) {
      status = (await post(h, batch(`a${sent}-`), 'acme-1')).status;
      sent++;
    }
    expect(status).toBe(503);
    expect(h.wal.ownerBytes('acme')).toBeGreaterThanOrEqual(40_000);
    const refused = await post(h, batch('again'), 'acme-2');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as Answer).error?.message).toBe(
      "tenant 'acme' has filled its share of the local buffer (40000 bytes) while uploads catch up; retry later",
    );
    for (let i = 0; i < 3; i++) expect((await post(h, batch(`g${i}-`), 'globex')).status).toBe(200);
    expect((await fetch(`${h.url}/ready`)).status).toBe(200);
  });
});

/** Sends headers and the first byte of a body declared `bytes` long, and keeps the rest back. */
function openUnfinishedPost(h: Harness, key: string, bytes: number) {
  const { port } = new URL(h.url);
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/facts',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': bytes },
  });
  const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  req.write('[');
  return { req, answered };
}

describe('per-tenant turns at the CPU (item 5: fair body parsing)', () => {
  it("admits a neighbour's batch while the abuser has every turn and its queue full, and answers the abuser's next 429", async () => {
    const turns = new TenantTurns(2, 2);
    h = await startApp({ turns });
    const bodies = [0, 1, 2, 3].map((i) => JSON.stringify([fact(`x${i}`)]));
    // Two of the abuser's batches hold its turns (their bodies are still arriving), two more wait unread.
    const holding = bodies.map((body) => openUnfinishedPost(h, 'acme-1', Buffer.byteLength(body)));
    await waitFor(() => turns.snapshot('acme').waiting === 2);
    expect(turns.snapshot('acme')).toEqual({ active: 2, waiting: 2 });
    // The neighbour is not queued behind them.
    const neighbour = await post(h, JSON.stringify([fact('n1'), fact('n2')]), 'globex');
    expect([neighbour.status, ((await neighbour.json()) as Answer).accepted]).toEqual([200, 2]);
    // The abuser's fifth, from its other key (turns are per tenant), is refused without being read.
    const refused = await post(h, bodies[0]!, 'acme-2');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as Answer).error).toEqual({
      code: 'TOO_MANY_REQUESTS_IN_FLIGHT',
      message: "tenant 'acme' has 4 batches in flight on this ingester; retry later",
      request_id: expect.any(String),
    });
    // Nothing the abuser sent is lost: as each body completes, the next waiter gets the turn.
    for (const [i, p] of holding.entries()) p.req.end(bodies[i]!.slice(1));
    const answers = await Promise.all(holding.map((p) => p.answered));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(turns.snapshot('acme')).toEqual({ active: 0, waiting: 0 });
    const ids = (await walRecords(h)).map((r) => (r as { event_id: string }).event_id).sort();
    expect(ids).toEqual(['n1', 'n2', 'x0', 'x1', 'x2', 'x3']);
  });
});

describe('turns at the CPU between tenants (item 5: parsing in turns, docs/adr/0100)', () => {
  it("parses a neighbour's batch after one turn of the abuser's, though the abuser's bodies arrived first", async () => {
    // The turns are given by hand: each call of a held callback is one turn, as setImmediate gives them.
    const held: (() => void)[] = [];
    const body = (id: string) => JSON.stringify([fact(id)]);
    // A batch is charged twice its body (its parse, then its validation; docs/adr/0107): one fits a turn.
    const cpuTurns = new FairCpuTurns(2 * Buffer.byteLength(body('x0')) + 10, (run) => void held.push(run));
    h = await startApp({ cpuTurns });
    const answered: string[] = [];
    const send = (id: string, key: string) =>
      post(h, body(id), key).then(async (res) => {
        answered.push(`${id} ${res.status} ${((await res.json()) as Answer).accepted}`);
      });
    const abuser = ['x0', 'x1', 'x2'].map((id) => send(id, 'acme-1'));
    await waitFor(() => cpuTurns.queued().batches === 3);
    const neighbour = send('n1', 'globex');
    await waitFor(() => cpuTurns.queued().batches === 4);
    expect(answered).toEqual([]);
    held.shift()!(); // the abuser's turn: one batch fits its budget
    await waitFor(() => answered.length === 1);
    held.shift()!(); // the neighbour's turn
    await neighbour;
    expect(answered).toEqual(['x0 200 1', 'n1 200 1']);
    while (held.length > 0) held.shift()!();
    await Promise.all(abuser);
    expect(answered.slice(2)).toEqual(['x1 200 1', 'x2 200 1']);
    // Every batch is durable, in the order the turns parsed them.
    const ids = (await walRecords(h)).map((r) => (r as { event_id: string }).event_id);
    expect(ids).toEqual(['x0', 'n1', 'x1', 'x2']);
  });

  it("parses a neighbour's batch between two slices of an abuser's large batch (docs/adr/0107)", async () => {
    const held: (() => void)[] = [];
    const cpuTurns = new FairCpuTurns(2048, (run) => void held.push(run));
    h = await startApp({ cpuTurns });
    const large = JSON.stringify(Array.from({ length: 80 }, (_, i) => fact(`x${i}`)));
    const answered: string[] = [];
    const abuser = post(h, large, 'acme-1').then(async (res) => {
      answered.push(`abuser ${res.status} ${((await res.json()) as Answer).accepted}`);
    });
    await waitFor(() => cpuTurns.queued().batches === 1);
    held.shift()!(); // the abuser's first turn: a few slices of its scan, far from the whole batch
    expect(cpuTurns.queued().batches).toBe(1);
    const neighbour = post(h, JSON.stringify([fact('n1')]), 'globex').then(async (res) => {
      answered.push(`neighbour ${res.status} ${((await res.json()) as Answer).accepted}`);
    });
    await waitFor(() => cpuTurns.queued().tenants === 2);
    held.shift()!(); // the abuser's second turn: the neighbour came in behind it
    held.shift()!(); // the neighbour's turn: its batch whole
    await neighbour;
    expect(answered).toEqual(['neighbour 200 1']);
    let abuserTurns = 2;
    while (held.length > 0) {
      held.shift()!();
      abuserTurns++;
    }
    await abuser;
    // 80 facts of ~190 bytes, charged twice (scan, validation), at 2 KiB a turn.
    expect(abuserTurns).toBeGreaterThan(10);
    expect(answered).toEqual(['neighbour 200 1', 'abuser 200 80']);
    const ids = (await walRecords(h)).map((r) => (r as { event_id: string }).event_id);
    expect(ids).toEqual(['n1', ...Array.from({ length: 80 }, (_, i) => `x${i}`)]);
  });

  it('answers a refusal found while parsing (item rate, malformed body) in its turn, with its error body', async () => {
    const cpuTurns = new FairCpuTurns(1024, setImmediate);
    h = await startApp({ cpuTurns, items: { perSecond: 1, burst: 2 } });
    const over = await post(h, JSON.stringify([fact('a'), fact('b'), fact('c')]));
    expect([over.status, ((await over.json()) as Answer).error?.code]).toEqual([429, 'RATE_LIMITED']);
    const malformed = await post(h, '[{', 'globex');
    expect([malformed.status, ((await malformed.json()) as Answer).error?.code]).toEqual([
      400,
      'MALFORMED_BODY',
    ]);
    const ok = await post(h, JSON.stringify([fact('d')]));
    expect([ok.status, ((await ok.json()) as Answer).accepted]).toEqual([200, 1]);
    expect(cpuTurns.queued()).toEqual({ tenants: 0, batches: 0 });
  });
});

describe('the item rate before a body is read or scanned to its end (item 5, docs/adr/0119)', () => {
  /** Sends the headers and the first bytes of a body it never finishes; resolves with the answer and its headers. */
  const answerToUnsentBody = (h: Harness, key: string, declared: number) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string; closed: Promise<void> }>(
      (resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: new URL(h.url).port,
          method: 'POST',
          path: '/api/v1/facts',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': declared,
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            const socket = req.socket!;
            const closed = new Promise<void>((r) =>
              socket.destroyed ? r() : socket.once('close', () => r()),
            );
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, closed });
          });
        });
        req.on('error', () => undefined);
        // Only the headers and a first byte: a server that waited for the body would never answer.
        req.write('[');
        setTimeout(() => reject(new Error('no answer within 10 s: the body was waited for')), 10_000).unref();
      },
    );

  it('refuses a tenant over its rate whose bucket cannot pay one item before reading its body, and closes the connection', async () => {
    h = await startApp({ items: { perSecond: 1, burst: 3 } });
    expect((await post(h, JSON.stringify([fact('a'), fact('b'), fact('c')]))).status).toBe(200);
    // Refused at the end of its scan: the tenant is now over its rate, and the early checks apply to it.
    expect((await post(h, JSON.stringify(fact('over')))).status).toBe(429);
    const answer = await answerToUnsentBody(h, 'acme-2', 200_000);
    expect([answer.status, JSON.parse(answer.body).error.message]).toEqual([
      429,
      "tenant 'acme' is over its rate limit of items per second",
    ]);
    expect([answer.headers['retry-after'], answer.headers['connection']]).toEqual(['1', 'close']);
    // The server ends the connection: the rest of the body is never read, and nothing is left half-read on it.
    await answer.closed;
    expect((await post(h, JSON.stringify(fact('n')), 'globex')).status).toBe(200);
    expect((await walRecords(h)).map((r) => (r as { event_id: string }).event_id).sort()).toEqual([
      'a',
      'b',
      'c',
      'n',
    ]);
  });

  it('answers 429 + Retry-After to real clients that keep sending a large body after the early refusal', async () => {
    h = await startApp({ items: { perSecond: 1, burst: 1 }, limits: { maxBodyBytes: 8 << 20 } });
    expect((await post(h, JSON.stringify(fact('a')))).status).toBe(200);
    expect((await post(h, JSON.stringify(fact('over')))).status).toBe(429);
    const large = Buffer.alloc(4 << 20, 0x20);
    large[0] = 0x5b;
    for (let i = 0; i < 5; i++) {
      const viaFetch = await post(h, large);
      expect([viaFetch.status, viaFetch.headers.get('retry-after')]).toEqual([429, '1']);
      expect(((await viaFetch.json()) as Answer).error?.code).toBe('RATE_LIMITED');
    }
    // node:http writing the body in chunks whatever the server answered, on a keep-alive agent.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      const status = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: new URL(h.url).port,
            method: 'POST',
            path: '/api/v1/facts',
            agent,
            headers: { authorization: 'Bearer acme-1', 'content-length': large.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(`${res.statusCode} ${res.headers['retry-after']}`));
          },
        );
        req.on('error', reject);
        let offset = 0;
        const send = (): void => {
          while (offset < large.length) {
            const more = req.write(large.subarray(offset, offset + 65_536));
            offset += 65_536;
            if (!more) return void req.once('drain', send);
          }
          req.end();
        };
        send();
      });
      expect(status).toBe('429 1');
    }
    agent.destroy();
  });

  it('refuses an over-rate batch part way through its scan: the rest of its body is never scanned', async () => {
    const cpuTurns = new FairCpuTurns(1024, setImmediate);
    h = await startApp({ cpuTurns, items: { perSecond: 1, burst: 5 } });
    const facts = Array.from({ length: 80 }, (_, i) => JSON.stringify(fact(`x${i}`)));
    // The first over-rate batch is scanned to its end and refused there: the tenant is now over its rate.
    expect((await post(h, `[${facts.join(',')}]`)).status).toBe(429);
    // A broken tail: scanned to its end, this body would go to the generic path and be refused as malformed (400).
    const brokenTail = `[${facts.join(',')},{"event_id": ]`;
    const refused = await post(h, brokenTail);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1']);
    expect(((await refused.json()) as Answer).error?.message).toBe(
      "tenant 'acme' is over its rate limit of items per second",
    );
    const whole = await post(h, `[${facts.join(',')}]`);
    expect(whole.status).toBe(429);
    // Nothing was charged for the refused batches: the bucket still pays a batch of its burst.
    const ok = await post(h, `[${facts.slice(0, 5).join(',')}]`);
    expect([ok.status, ((await ok.json()) as Answer).accepted]).toEqual([200, 5]);
    expect(cpuTurns.queued()).toEqual({ tenants: 0, batches: 0 });
  });

  it('never refuses early a client at exactly its rate whose batch starts before its bucket refilled and ends after (docs/adr/0126)', async () => {
    const turns = new TenantTurns(4, 16);
    h = await startApp({ turns, items: { perSecond: 100, burst: 100 } });
    const batch = (prefix: string) =>
      JSON.stringify(Array.from({ length: 100 }, (_, i) => fact(`${prefix}${i}`)));
    // Catching up after a stall: its burst spent at once, the next batch sent at once, its body still coming.
    expect((await post(h, batch('first-'))).status).toBe(200);
    const body = Buffer.from(batch('next-'));
    const req = request({
      host: '127.0.0.1',
      port: new URL(h.url).port,
      method: 'POST',
      path: '/api/v1/facts',
      headers: {
        authorization: 'Bearer acme-1',
        'content-type': 'application/json',
        'content-length': body.length,
      },
    });
    const answered = new Promise<number>((resolve) =>
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0))),
    );
    req.on('error', () => undefined);
    req.write(body.subarray(0, 1));
    // Before: refused at once (its bucket could not pay one item). Now it takes its turn and reads the body.
    const reading = new Promise<string>((resolve) => {
      const poll = () => (turns.snapshot('acme').active === 1 ? resolve('reading') : setTimeout(poll, 10));
      poll();
    });
    expect(await Promise.race([reading, answered.then((status) => `answered ${status}`)])).toBe('reading');
    // The rest arrives a second later, at exactly the rate: its bucket has refilled what the batch holds.
    now += 1000;
    try {
      req.end(body.subarray(1));
      expect(await answered).toBe(200);
    } finally {
      now -= 1000;
    }
  });
});

/** Polls a condition of the server's state (not of time): generous for a loaded machine. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

describe('cardinality budgets', () => {
  it('folds services past the tenant budget into the overflow service, visibly, and reports it', async () => {
    h = await startApp({ servicesPerTenant: 3 });
    const items = Array.from({ length: 10 }, (_, i) => fact(`s${i}`, { service: `svc-${i}` }));
    const answer = (await (await post(h, JSON.stringify(items))).json()) as Answer;
    expect(answer.accepted).toBe(10);
    await post(h, JSON.stringify([fact('again', { service: 'svc-9' }), fact('old', { service: 'svc-0' })]));
    const services = (await walRecords(h)).map((r) => (r as { service: string }).service);
    expect(services).toEqual(['svc-0', 'svc-1', 'svc-2', ...Array<string>(8).fill(overflowService), 'svc-0']);
    // Another tenant's budget is its own.
    expect((await post(h, JSON.stringify(fact('g', { service: 'svc-9' })), 'globex')).status).toBe(200);
    const report = await (
      await fetch(`${h.url}/api/v1/cardinality`, { headers: { authorization: 'Bearer acme-2' } })
    ).json();
    expect(report).toEqual({
      tenant: 'acme',
      budgets: { servicesPerTenant: 3, routesPerService: 100, routesPerTenant: 20_000 },
      services: 4,
      routes: 4,
      folded: { serviceFacts: 8, routeFacts: 0 },
      topOffenders: {
        refusedServices: [
          { name: 'svc-9', count: 2 },
          ...[3, 4, 5, 6, 7, 8].map((i) => ({ name: `svc-${i}`, count: 1 })),
        ],
        overflowingServices: [],
      },
    });
    expect((await fetch(`${h.url}/api/v1/cardinality`)).status).toBe(401);
  });
});

describe('/metrics', () => {
  it('is served on the metrics listener only, never on the public port', async () => {
    h = await startApp();
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    const res = await fetch(`${h.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('gravix_wal_bytes');
    expect((await fetch(`${h.metricsUrl}/api/v1/facts`)).status).toBe(404);
  });

  it('answers another method on the metrics listener with 405, Allow and the error body; other paths 404', async () => {
    h = await startApp();
    const post = await fetch(`${h.metricsUrl}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toMatchObject({
      error: { code: 'METHOD_NOT_ALLOWED', message: 'POST is not allowed on /metrics; use GET, HEAD' },
    });
    const missing = await fetch(`${h.metricsUrl}/api/v1/facts`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
