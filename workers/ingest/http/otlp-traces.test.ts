import { gzipSync } from 'node:zlib';
import { protoSchemas } from '../otlp/proto-schemas.js';
import { startIngestAppHarness, type IngestAppHarness } from '../testing/ingest-app-harness.js';
import { int, serverSpan, str, toProtobuf, traceRequest } from '../testing/otlp-trace-requests.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const t0 = now - 60_000;

const send = (h: IngestAppHarness, body: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/v1/traces`, {
    method: 'POST',
    headers: { authorization: 'Bearer w-key', 'content-type': 'application/x-protobuf', ...headers },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });

const sendJson = (h: IngestAppHarness, request: unknown, headers: Record<string, string> = {}) =>
  send(h, JSON.stringify(request), { 'content-type': 'application/json', ...headers });

const decodeResponse = async (res: Response) =>
  protoSchemas().exportTraceResponse.toObject(
    protoSchemas().exportTraceResponse.decode(new Uint8Array(await res.arrayBuffer())),
    { longs: Number },
  );

describe('POST /v1/traces', () => {
  let h: IngestAppHarness;
  beforeEach(async () => {
    h = await startIngestAppHarness({ now });
  });
  afterEach(() => h.close());

  it('turns a protobuf SERVER span into a request fact with its ids, route, status and exact duration', async () => {
    const span = serverSpan(t0, 12.345678);
    const res = await send(h, toProtobuf(traceRequest([span])));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(await decodeResponse(res)).toEqual({});
    expect(await h.records()).toEqual([
      {
        kind: 'fact',
        tenant: 'acme',
        event_id: `${span.traceId}-${span.spanId}`,
        ts: t0,
        service: 'checkout',
        method: 'GET',
        path: '/orders/:id',
        status_code: 200,
        latency_ms: 12.345678,
        trace_id: span.traceId,
        span_id: span.spanId,
      },
    ]);
  });

  it('gives the same WAL records and answer for the OTLP/JSON and protobuf encodings, gzip included', async () => {
    const request = traceRequest(
      [
        serverSpan(t0, 5),
        serverSpan(t0 + 1, 7, { attributes: [str('http.method', 'post'), str('http.target', '/cart')] }),
      ],
      [
        str('service.name', 'cart'),
        str('service.version', '1.2.3'),
        str('deployment.environment.name', 'prod'),
      ],
    );
    const viaJson = await sendJson(h, request, {});
    expect(viaJson.status).toBe(200);
    expect(await viaJson.json()).toEqual({});
    const jsonRecords = await h.records();
    const other = await startIngestAppHarness({ now });
    try {
      const viaProto = await send(other, gzipSync(toProtobuf(request)), { 'content-encoding': 'gzip' });
      expect(viaProto.status).toBe(200);
      expect(await other.records()).toEqual(jsonRecords);
    } finally {
      await other.close();
    }
    expect(jsonRecords).toHaveLength(2);
    expect(jsonRecords[0]).toMatchObject({ service: 'cart', version: '1.2.3', env: 'prod' });
  });

  it('reads the HTTP semantic conventions before 1.23 and templates a raw target as facts are', async () => {
    const span = serverSpan(t0, 3, {
      attributes: [
        str('http.method', 'DELETE'),
        str('http.target', '/users/12345?x=1'),
        int('http.status_code', 404),
      ],
    });
    const url = serverSpan(t0, 3, {
      attributes: [
        str('http.method', 'GET'),
        str('http.url', 'https://shop.example/items/0f8e4c2a9b7d6e5f'),
        int('http.status_code', 503),
      ],
    });
    expect((await send(h, toProtobuf(traceRequest([span, url])))).status).toBe(200);
    const records = await h.records();
    expect(records.map((r) => r.kind === 'fact' && [r.method, r.path, r.status_code])).toEqual([
      ['DELETE', '/users/:id', 404],
      ['GET', '/items/:id', 503],
    ]);
  });

  it('counts and skips spans that are neither HTTP server spans nor CLIENT spans, without calling them errors', async () => {
    const spans = [
      serverSpan(t0, 1, { kind: 1 }),
      serverSpan(t0, 1, { kind: 3 }),
      serverSpan(t0, 1, { kind: 4 }),
      serverSpan(t0, 1, { attributes: [str('rpc.system', 'grpc')] }),
      serverSpan(t0, 1),
    ];
    const res = await send(h, toProtobuf(traceRequest(spans)));
    expect(await decodeResponse(res)).toEqual({});
    // The CLIENT span is a service-map edge (docs/adr/0085), the HTTP server span a fact.
    expect((await h.records()).map((r) => r.kind)).toEqual(['edge', 'fact']);
    const skipped = await h.metrics.spansSkipped.get();
    expect(skipped.values).toEqual([expect.objectContaining({ labels: { tenant: 'acme' }, value: 3 })]);
    const edges = await h.metrics.edgesAccepted.get();
    expect(edges.values).toEqual([expect.objectContaining({ labels: { tenant: 'acme' }, value: 1 })]);
  });

  it('a CONSUMER span with HTTP attributes counts; without a status code the span status decides 200 or 500', async () => {
    const spans = [
      serverSpan(t0, 2, {
        kind: 5,
        attributes: [str('http.request.method', 'POST'), str('url.path', '/hooks/42')],
      }),
      serverSpan(t0, 2, {
        attributes: [str('http.request.method', 'POST'), str('http.route', '/pay')],
        status: { code: 2, message: 'boom' },
      }),
    ];
    await send(h, toProtobuf(traceRequest(spans)));
    expect((await h.records()).map((r) => r.kind === 'fact' && [r.path, r.status_code])).toEqual([
      ['/hooks/:id', 200],
      ['/pay', 500],
    ]);
  });

  it('answers partial success naming each rejected span, and keeps the rejected spans as dead letters', async () => {
    const spans = [
      serverSpan(t0, 1),
      serverSpan(t0, 1, {
        attributes: [
          str('http.request.method', 'GET'),
          str('http.route', '/a'),
          int('http.response.status_code', 700),
        ],
      }),
      serverSpan(t0, 1, { endTimeUnixNano: '1' }),
      serverSpan(t0, 1, { traceId: '00000000000000000000000000000000' }),
      serverSpan(now + 86_400_000, 1),
    ];
    const res = await send(h, toProtobuf(traceRequest(spans)));
    expect(res.status).toBe(200);
    expect(await decodeResponse(res)).toEqual({
      partialSuccess: {
        rejectedSpans: 4,
        errorMessage:
          '4 of 5 spans rejected: span 1 (OUT_OF_RANGE attributes[http.response.status_code]): status_code must be between 100 and 599, got 700; ' +
          'span 2 (INVALID_VALUE endTimeUnixNano): endTimeUnixNano must not be before startTimeUnixNano; ' +
          'span 3 (INVALID_VALUE traceId): traceId must be 16 bytes, not all zero; ' +
          `span 4 (OUT_OF_RANGE startTimeUnixNano): timestamp must be between 2026-11-22T12:00:00.000Z and 2026-11-23T13:00:00.000Z, got ${now + 86_400_000}`,
      },
    });
    const records = await h.records();
    expect(records.map((r) => r.kind)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'fact']);
    expect(records[0]).toMatchObject({ error: { index: 1, field: 'attributes[http.response.status_code]' } });
  });

  it('names the resource attribute when service.name is missing (JSON answer in lowerCamelCase)', async () => {
    const res = await sendJson(h, traceRequest([serverSpan(t0, 1)], []));
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          '1 of 1 spans rejected: span 0 (MISSING_FIELD resource.attributes[service.name]): service is required',
      },
    });
  });

  it('refuses a service.name or route holding a bidi override or zero-width space (the one text rule)', async () => {
    const spoofRoute = serverSpan(t0, 1, {
      attributes: [str('http.request.method', 'GET'), str('http.route', '/orders\u200B/:id')],
    });
    const spoofService = await sendJson(
      h,
      traceRequest([serverSpan(t0, 1)], [str('service.name', 'billing\u202Egnillib')]),
    );
    const spoofPath = await send(h, toProtobuf(traceRequest([spoofRoute])));
    expect(await spoofService.json()).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          '1 of 1 spans rejected: span 0 (INVALID_VALUE resource.attributes[service.name]): service must not contain invisible format characters (U+202E at 7)',
      },
    });
    expect((await decodeResponse(spoofPath)).partialSuccess).toEqual({
      rejectedSpans: 1,
      errorMessage: expect.stringContaining(
        'path must not contain invisible format characters (U+200B at 7)',
      ),
    });
    expect((await h.records()).map((r) => r.kind)).toEqual(['rejected', 'rejected']);
  });

  it('counts a span sampled at a tracestate threshold as its adjusted count', async () => {
    const spans = [
      serverSpan(t0, 1, { traceState: 'ot=th:c' }),
      serverSpan(t0, 1, { traceState: 'vendor=x,ot=rv:abcdef01234567;th:8' }),
      serverSpan(t0, 1, { traceState: 'ot=th:zz' }),
    ];
    await send(h, toProtobuf(traceRequest(spans)));
    expect((await h.records()).map((r) => r.kind === 'fact' && r.weight)).toEqual([4, 2, undefined]);
  });

  it('refuses bytes that are not protobuf with 400 and a google.rpc.Status naming the code', async () => {
    const res = await send(h, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(res.status).toBe(400);
    const status = protoSchemas().status.decode(new Uint8Array(await res.arrayBuffer())) as unknown as {
      code: number;
      message: string;
    };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(
      /^MALFORMED_BODY: body is not a protobuf ExportTraceServiceRequest: .+ \(request_id .+\)$/,
    );
  });

  it('refuses malformed OTLP/JSON with the API error body', async () => {
    const res = await send(h, '{"resourceSpans": 5}', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'MALFORMED_BODY',
        message: 'body is not an ExportTraceServiceRequest: resourceSpans must be an array',
        request_id: expect.any(String),
      },
    });
  });

  it('answers 401 without a key, 415 for another content type', async () => {
    const noKey = await fetch(`${h.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noKey.status).toBe(401);
    const text = await send(h, 'x', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect((await text.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts an empty export (no spans) as success without writing anything', async () => {
    expect((await send(h, Buffer.alloc(0))).status).toBe(200);
    expect((await sendJson(h, {})).status).toBe(200);
    expect(await h.records()).toEqual([]);
  });
});

describe('POST /v1/traces under pressure', () => {
  it('answers 429 with Retry-After when the tenant is over its item rate, writing nothing', async () => {
    const h = await startIngestAppHarness({ now, itemRate: { perSecond: 1, burst: 2 } });
    try {
      const res = await send(
        h,
        toProtobuf(traceRequest([serverSpan(t0, 1), serverSpan(t0, 1), serverSpan(t0, 1)])),
      );
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(protoSchemas().status.decode(new Uint8Array(await res.arrayBuffer()))).toMatchObject({
        code: 8,
      });
      expect(await h.records()).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('answers 503 with Retry-After when the WAL cannot make the spans durable', async () => {
    const h = await startIngestAppHarness({ now, failAppend: () => true });
    try {
      const res = await sendJson(h, traceRequest([serverSpan(t0, 1)]));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await res.json()).error.code).toBe('WAL_UNAVAILABLE');
    } finally {
      await h.close();
    }
  });

  it('answers 413 when a request holds more server and client spans than a batch may', async () => {
    const h = await startIngestAppHarness({ now, limits: { maxItemsPerBatch: 2 } });
    try {
      const spans = [serverSpan(t0, 1), serverSpan(t0, 1, { kind: 3 }), serverSpan(t0, 1, { kind: 1 })];
      const res = await sendJson(h, traceRequest([...spans, serverSpan(t0, 1)]));
      expect(res.status).toBe(413);
      expect((await res.json()).error.message).toBe(
        'request holds 3 server and client spans; the limit is 2',
      );
    } finally {
      await h.close();
    }
  });
});
