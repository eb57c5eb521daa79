import fc from 'fast-check';
import { RouteBudget } from '../domain/route-budget.js';
import { int, str, toProtobuf, type TestSpan } from '../testing/otlp-trace-requests.js';
import { encodeWalFrame } from '../wal/write-ahead-log.js';
import { mapTraceRequest } from './map-trace-request.js';
import { protoSchemas } from './proto-schemas.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const context = () => ({
  tenant: 'acme',
  window: { now, maxPastMs: 86_400_000, maxFutureMs: 3_600_000 },
  routes: new RouteBudget(50),
});

const hexId = (bytes: number) =>
  fc.oneof(
    fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((a) => Buffer.from(a).toString('hex')),
    fc.constant('0'.repeat(bytes * 2)),
  );
// Valid Unicode only: protobuf strings are UTF-8, so a lone surrogate cannot travel in both encodings alike.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    'GET',
    'post',
    '_OTHER',
    '/orders/42',
    '/users/550e8400-e29b-41d4-a716-446655440000',
    '/',
    'x',
  ),
);
const attributeValue = fc.oneof(
  text.map((v) => ({ stringValue: v })),
  fc.integer({ min: -1000, max: 1000 }).map((v) => ({ intValue: String(v) })),
  fc.constantFrom(200, 404, 500, 599, 700).map((v) => ({ intValue: String(v) })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => ({ doubleValue: v })),
  fc.boolean().map((v) => ({ boolValue: v })),
);
const attributeKey = fc.constantFrom(
  'http.request.method',
  'http.method',
  'http.route',
  'url.path',
  'http.target',
  'http.url',
  'http.response.status_code',
  'http.status_code',
  'SampleRate',
  'peer.service',
  'server.address',
  'server.port',
  'net.peer.name',
  'other',
);
const randomSpan: fc.Arbitrary<TestSpan> = fc.record({
  traceId: hexId(16),
  spanId: hexId(8),
  parentSpanId: fc.oneof(hexId(8), fc.constant('')),
  name: text,
  kind: fc.integer({ min: 0, max: 6 }),
  startTimeUnixNano: fc
    .bigInt({ min: BigInt(now - 90_000_000) * 1_000_000n, max: BigInt(now + 4_000_000) * 1_000_000n })
    .map(String),
  endTimeUnixNano: fc
    .bigInt({ min: BigInt(now - 90_000_000) * 1_000_000n, max: BigInt(now + 4_000_000) * 1_000_000n })
    .map(String),
  traceState: fc.constantFrom('', 'ot=th:c', 'ot=th:8;rv:01', 'a=b,ot=th:fff', 'ot=th:'),
  attributes: fc.array(fc.record({ key: attributeKey, value: attributeValue }), { maxLength: 6 }),
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }) }),
});
/** A span an SDK would send, with some fields drawn from the odd values above. */
const plausibleSpan: fc.Arbitrary<TestSpan> = fc
  .record({
    traceId: hexId(16),
    spanId: hexId(8),
    kind: fc.constantFrom(2, 2, 5, 1, 3),
    startMs: fc.integer({ min: now - 80_000_000, max: now }),
    durationNs: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.constant(0n)),
    method: fc.oneof(fc.constantFrom('GET', 'post', 'PUT'), text),
    pathKey: fc.constantFrom('http.route', 'url.path', 'http.target', 'http.url'),
    path: fc.oneof(fc.constantFrom('/orders/42', '/a/b?c=1', 'https://x.example/u/123'), text),
    status: fc.oneof(fc.constantFrom(200, 201, 404, 503), fc.integer({ min: 0, max: 1000 })),
    traceState: fc.constantFrom('', 'ot=th:c', 'ot=th:8;rv:01', 'ot=th:'),
    extra: fc.array(fc.record({ key: attributeKey, value: attributeValue }), { maxLength: 2 }),
  })
  .map((p) => {
    const startNs = BigInt(p.startMs) * 1_000_000n;
    return {
      traceId: p.traceId,
      spanId: p.spanId,
      name: 'span',
      kind: p.kind,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + p.durationNs),
      traceState: p.traceState,
      attributes: [
        str('http.request.method', p.method),
        str(p.pathKey, p.path),
        int('http.response.status_code', p.status),
        ...p.extra,
      ],
    };
  });
const span = fc.oneof(plausibleSpan, plausibleSpan, randomSpan);
const resource = fc
  .array(
    fc.record({
      key: fc.constantFrom('service.name', 'service.version', 'deployment.environment'),
      value: attributeValue,
    }),
    { maxLength: 3 },
  )
  .map((attributes) => [str('service.name', 'checkout'), ...attributes]);
const request = fc
  .array(fc.record({ resource, spans: fc.array(span, { maxLength: 6 }) }), { minLength: 1, maxLength: 3 })
  .map((groups) => ({
    resourceSpans: groups.map((g) => ({
      resource: { attributes: g.resource },
      scopeSpans: [{ spans: g.spans }],
    })),
  }));

describe('mapTraceRequest', () => {
  it('gives the same WAL frame, rejections and counts for the protobuf and OTLP/JSON encodings of any request', () => {
    const seen = { accepted: 0, rejected: 0, skipped: 0 };
    fc.assert(
      fc.property(request, (req) => {
        const fromJson = mapTraceRequest(JSON.parse(JSON.stringify(req)), context(), now);
        seen.accepted += fromJson.accepted;
        seen.rejected += fromJson.rejected.length;
        seen.skipped += fromJson.skipped;
        const fromProto = mapTraceRequest(
          protoSchemas().exportTraceRequest.decode(toProtobuf(req)),
          context(),
          now,
        );
        expect(fromProto.rejected).toEqual(fromJson.rejected);
        expect([fromProto.accepted, fromProto.skipped, fromProto.spans]).toEqual([
          fromJson.accepted,
          fromJson.skipped,
          fromJson.spans,
        ]);
        expect(encodeWalFrame(fromProto.records).equals(encodeWalFrame(fromJson.records))).toBe(true);
      }),
      { numRuns: 300 },
    );
    // The generator must reach all three outcomes, or the property says little.
    expect(Math.min(seen.accepted, seen.rejected, seen.skipped)).toBeGreaterThan(10);
  });

  it('keeps the nanosecond duration exact past 2^53 nanoseconds since 1970', () => {
    const spans = [
      {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        kind: 2,
        startTimeUnixNano: '1795435140000000001',
        endTimeUnixNano: '1795435140000000334',
        attributes: [
          str('http.request.method', 'GET'),
          str('http.route', '/'),
          int('http.response.status_code', 200),
        ],
      },
    ];
    const req = {
      resourceSpans: [{ resource: { attributes: [str('service.name', 's')] }, scopeSpans: [{ spans }] }],
    };
    const mapped = mapTraceRequest(protoSchemas().exportTraceRequest.decode(toProtobuf(req)), context(), now);
    expect(mapped.records).toEqual([expect.objectContaining({ latency_ms: 0.000333, ts: 1795435140000 })]);
  });
});
