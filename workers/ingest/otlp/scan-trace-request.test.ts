import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { RouteBudget } from '../domain/route-budget.js';
import { damagedTraceRequest, wireTraceRequest } from '../testing/otlp-wire-arbitraries.js';
import { serverSpan, str, toProtobuf, traceRequest } from '../testing/otlp-trace-requests.js';
import { encodeWalFrame } from '../wal/write-ahead-log.js';
import { decodeTraceRequest } from './decode-trace-request.js';
import { countRecordSpans, mapSpanReadings, mapTraceRequest } from './map-trace-request.js';
import { protoSchemas } from './proto-schemas.js';
import { scanTraceRequest } from './scan-trace-request.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const maxDepth = 64;
const context = () => ({
  tenant: 'acme',
  window: { now, maxPastMs: 86_400_000, maxFutureMs: 3_600_000 },
  // A small budget, so the overflow route is reached and both paths must admit routes in the same order.
  routes: new RouteBudget(4),
});

/** The reference: protobufjs's message (after the nesting check) through the readers; an error's message. */
function reference(body: Buffer) {
  let request: unknown;
  try {
    request = decodeTraceRequest(body, 'protobuf', maxDepth);
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { candidates: countRecordSpans(request), mapped: mapTraceRequest(request, context(), now) };
}

function onePass(body: Buffer) {
  const scanned = scanTraceRequest(body, maxDepth);
  if (scanned === undefined) return undefined;
  const mapped = mapSpanReadings(scanned.recordSpans, scanned.spans, context(), now);
  return { candidates: scanned.recordSpans.length, mapped };
}

type Outcome = ReturnType<typeof reference>;

function expectSame(body: Buffer, seen: Record<string, number>): void {
  const ref: Outcome = reference(body);
  const fast = onePass(body);
  if (fast === undefined) {
    const key = 'error' in ref ? 'declined' : 'declinedValid';
    seen[key] = (seen[key] ?? 0) + 1;
    return;
  }
  // The one pass answers only bytes protobufjs decodes; then with the same records, errors and counts.
  expect(ref).not.toHaveProperty('error');
  if ('error' in ref) return;
  expect(fast.candidates).toBe(ref.candidates);
  expect(fast.mapped.rejected).toEqual(ref.mapped.rejected);
  const counts = (m: typeof fast.mapped) => [m.accepted, m.edges, m.skipped, m.spans];
  expect(counts(fast.mapped)).toEqual(counts(ref.mapped));
  expect(fast.mapped.records).toEqual(ref.mapped.records);
  expect(encodeWalFrame(fast.mapped.records).equals(encodeWalFrame(ref.mapped.records))).toBe(true);
  seen['scanned'] = (seen['scanned'] ?? 0) + 1;
  seen['accepted'] = (seen['accepted'] ?? 0) + fast.mapped.accepted;
  seen['edges'] = (seen['edges'] ?? 0) + fast.mapped.edges;
  seen['rejected'] = (seen['rejected'] ?? 0) + fast.mapped.rejected.length;
  seen['skipped'] = (seen['skipped'] ?? 0) + fast.mapped.skipped;
  if (fast.mapped.records.some((r) => 'weight' in r)) seen['weighted'] = (seen['weighted'] ?? 0) + 1;
}

describe('scanTraceRequest', () => {
  it('gives what protobufjs and the readers give for any request written field by field (order, repeats, merges, unknown fields, wire types, varints)', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(wireTraceRequest(now), (body) => expectSame(body, seen)),
      { numRuns: 600 },
    );
    // Every outcome must be reached, and most requests read in one pass, or the property says little.
    for (const outcome of ['accepted', 'edges', 'rejected', 'skipped', 'weighted'])
      expect(seen[outcome] ?? 0).toBeGreaterThan(5);
    expect(seen['scanned'] ?? 0).toBeGreaterThan(300);
    // Declining bytes protobufjs decodes only costs time; it must stay rare.
    expect(seen['declinedValid'] ?? 0).toBeLessThan(30);
  });

  it('reads nothing protobufjs refuses, and gives the same answer for what it reads, when bytes are cut or overwritten', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(damagedTraceRequest(now), (body) => expectSame(body, seen)),
      { numRuns: 600 },
    );
    expect(seen['declined'] ?? 0).toBeGreaterThan(100);
    expect(seen['scanned'] ?? 0).toBeGreaterThan(20);
  });

  it('reads an SDK-shaped request in one pass with the same WAL bytes as the reference', () => {
    const spans = [
      serverSpan(now - 1000, 3),
      serverSpan(now - 1000, 4, { kind: 3 }),
      serverSpan(now - 900, 5, { kind: 1 }),
      serverSpan(now - 800, 6, { traceState: 'ot=th:c', parentSpanId: '00f067aa0ba902b7' }),
    ];
    const body = toProtobuf(
      traceRequest(spans, [str('service.name', 'checkout'), str('service.version', '1.2')]),
    );
    const seen: Record<string, number> = {};
    expectSame(body, seen);
    expect(seen).toMatchObject({ scanned: 1, accepted: 2, edges: 1, skipped: 1, weighted: 1 });
  });

  it('reads the JS SDK own protobuf serialization in one pass, events, links and odd attribute values included', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '2.0' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('scan-test', '1.0');
    const startTime = new Date(now - 5_000);
    const attributes = {
      'http.request.method': 'POST',
      'http.route': '/orders/:id',
      'http.response.status_code': 201,
      'thread.id': -7,
      'big.number': 2 ** 40,
      ratio: 0.25,
      flags: [true, false],
      names: ['a', 'é'],
    };
    const server = tracer.startSpan('POST /orders/:id', { kind: SpanKind.SERVER, attributes, startTime });
    server.addEvent('retry', { attempt: 2 });
    server.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    server.end(new Date(now - 4_990));
    const client = tracer.startSpan('GET', {
      kind: SpanKind.CLIENT,
      attributes: { 'server.address': 'db', 'server.port': 5432 },
      links: [{ context: server.spanContext(), attributes: { why: 'follows' } }],
      startTime,
    });
    client.end(new Date(now - 4_995));
    tracer.startSpan('internal', { startTime }).end(new Date(now - 4_999));
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
    const seen: Record<string, number> = {};
    expectSame(body, seen);
    expect(seen).toMatchObject({ scanned: 1, accepted: 1, edges: 1, skipped: 1 });
  });

  it('leaves to protobufjs a varint protobufjs reads specially, a group, a field number 0 and nesting past the limit', () => {
    const valid = toProtobuf(traceRequest([serverSpan(now - 1000, 3)]));
    expect(scanTraceRequest(valid, maxDepth)).toBeDefined();
    const cases = [
      Buffer.concat([valid, Buffer.from([0x0b, 0x0c])]), // group start and end, field 1
      Buffer.concat([valid, Buffer.from([0x02, 0x00])]), // field number 0
      Buffer.concat([valid, Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x00])]), // a 5-byte length
      valid.subarray(0, valid.length - 1),
    ];
    for (const body of cases) expect(scanTraceRequest(body, maxDepth)).toBeUndefined();
    expect(scanTraceRequest(valid, 5)).toBeUndefined();
    expect(scanTraceRequest(valid, 6)).toBeDefined();
  });

  it('keeps the span field numbers it reads by hand equal to the vendored schema', () => {
    const span = protoSchemas().exportTraceRequest.root.lookupType('opentelemetry.proto.trace.v1.Span');
    const ids = Object.fromEntries(span.fieldsArray.map((f) => [f.name, f.id]));
    expect(ids).toMatchObject({
      traceId: 1,
      spanId: 2,
      traceState: 3,
      parentSpanId: 4,
      name: 5,
      kind: 6,
      startTimeUnixNano: 7,
      endTimeUnixNano: 8,
      attributes: 9,
      droppedAttributesCount: 10,
      events: 11,
      droppedEventsCount: 12,
      links: 13,
      droppedLinksCount: 14,
      status: 15,
      flags: 16,
    });
  });
});
