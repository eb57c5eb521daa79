import fc from 'fast-check';
import { RouteBudget } from '../domain/route-budget.js';
import { RouteCache } from '../fast-facts/route-cache.js';
import { protoSchemas } from '../otlp/proto-schemas.js';
import { parseRequestFact } from '../domain/parse-request-fact.js';
import { startIngestAppHarness } from '../testing/ingest-app-harness.js';
import { factBatchReader, protobufBatchReader } from './batch-readers.js';
import { runToEnd } from '../domain/fair-cpu-turns.js';

const now = Date.parse('2026-11-23T12:00:00Z');

/** A fact as JSON and as its gravix.v1.RequestFact twin (the same fields, protobuf names). */
const fact = fc.record(
  {
    event_id: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('a', 'e-1')),
    timestamp: fc.oneof(
      fc.integer({ min: now - 90_000_000, max: now + 4_000_000 }),
      fc.constantFrom('2026-11-23T11:59:00Z', '2026-11-23T11:59:00.5+01:00', 'yesterday'),
    ),
    service: fc.oneof(fc.constantFrom('checkout', 'cart'), fc.string({ unit: 'grapheme', maxLength: 6 })),
    method: fc.constantFrom('GET', 'post', 'BREW'),
    path: fc.constantFrom('/orders/42', '/a/b', 'nope', '/users/550e8400-e29b-41d4-a716-446655440000'),
    status_code: fc.oneof(fc.constantFrom(200, 404, 503), fc.integer({ min: 0, max: 999 })),
    latency_ms: fc.oneof(fc.double({ min: 0, max: 5000, noNaN: true }), fc.constantFrom(0, 1.5, -1, 4e6)),
    env: fc.constantFrom('prod', 'staging'),
    trace_id: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('hex')),
  },
  { requiredKeys: [] },
);

function toProtobuf(facts: Record<string, unknown>[]): Buffer {
  const proto = facts.map((f) => {
    const { event_id, timestamp, status_code, latency_ms, trace_id, ...rest } = f;
    return {
      ...rest,
      ...(event_id === undefined ? {} : { eventId: event_id }),
      ...(typeof timestamp === 'number' ? { timestampUnixMs: timestamp } : {}),
      ...(typeof timestamp === 'string' ? { timestampRfc3339: timestamp } : {}),
      ...(status_code === undefined ? {} : { statusCode: status_code }),
      ...(latency_ms === undefined ? {} : { latencyMs: latency_ms }),
      ...(trace_id === undefined ? {} : { traceId: trace_id }),
    };
  });
  const type = protoSchemas().requestFactBatch;
  return Buffer.from(type.encode(type.fromObject({ facts: proto })).finish());
}

describe('protobuf facts (gravix.v1.RequestFactBatch)', () => {
  it('give the same WAL frame, accepted count and per-item errors as the same facts in JSON', () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.array(fact, { minLength: 1, maxLength: 8 }), (facts) => {
        // uint32 cannot carry a negative status code; the JSON twin must be expressible in protobuf.
        const sendable = facts.map((f) =>
          typeof f.status_code === 'number' && f.status_code < 0 ? { ...f, status_code: 0 } : f,
        );
        const ctx = () => ({
          tenant: 'acme',
          window: { now, maxPastMs: 86_400_000, maxFutureMs: 3_600_000 },
          routes: new RouteBudget(50),
        });
        const jsonCtx = ctx();
        const json = runToEnd(
          runToEnd(
            factBatchReader(() => jsonCtx, new RouteCache(jsonCtx.routes), 32)(
              Buffer.from(JSON.stringify(sendable)),
              false,
              100,
              Infinity,
            ),
          ).validate('acme', now, Infinity),
        );
        const protoCtx = ctx();
        const proto = runToEnd(
          runToEnd(
            protobufBatchReader(
              () => protoSchemas().requestFactBatch,
              'facts',
              () => (v, i) => parseRequestFact(v, i, protoCtx),
            )(toProtobuf(sendable), false, 100, Infinity),
          ).validate('acme', now, Infinity),
        );
        expect(proto.rejected).toEqual(json.rejected);
        expect(proto.accepted).toBe(json.accepted);
        expect(proto.frame.equals(json.frame)).toBe(true);
        seen.accepted += json.accepted;
        seen.rejected += json.rejected.length;
      }),
      { numRuns: 300 },
    );
    expect(Math.min(seen.accepted, seen.rejected)).toBeGreaterThan(20);
  });

  it('POST /api/v1/facts with application/x-protobuf answers like JSON, and refuses bytes that are not a batch', async () => {
    const h = await startIngestAppHarness({ now });
    try {
      const post = (body: Buffer) =>
        fetch(`${h.url}/api/v1/facts`, {
          method: 'POST',
          headers: { authorization: 'Bearer w-key', 'content-type': 'application/x-protobuf' },
          body: new Blob([new Uint8Array(body)]),
        });
      const ok = await post(
        toProtobuf([
          {
            event_id: 'p1',
            timestamp: now - 1000,
            service: 's',
            method: 'GET',
            path: '/a/1',
            status_code: 200,
            latency_ms: 3,
          },
          { event_id: 'p2', timestamp: now - 1000, service: 's', method: 'GET', path: '/a/1', latency_ms: 3 },
        ]),
      );
      expect(await ok.json()).toEqual({
        accepted: 1,
        rejected: [
          { index: 1, code: 'MISSING_FIELD', field: 'status_code', message: 'status_code is required' },
        ],
        request_id: expect.any(String),
      });
      const bad = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe('MALFORMED_BODY');
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
          const res = await post(Buffer.from(bytes));
          await res.arrayBuffer();
          expect([200, 400]).toContain(res.status);
        }),
        { numRuns: 150 },
      );
    } finally {
      await h.close();
    }
  });
});
