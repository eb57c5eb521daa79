import { protoSchemas } from '../otlp/proto-schemas.js';

/** A span for test requests, in OTLP/JSON's terms (hex ids, nanoseconds as decimal strings). */
export interface TestSpan {
  traceId: string;
  spanId: string;
  /** Hex; '' or absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  traceState?: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code: number; message?: string };
}

export const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
export const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A SERVER span of an HTTP request, with overrides; ids are unique per call. */
export function serverSpan(startMs: number, durationMs: number, overrides: Partial<TestSpan> = {}): TestSpan {
  counter += 1;
  const startNs = BigInt(startMs) * 1_000_000n;
  return {
    traceId: hex(counter, 32).replace(/^0/, 'a'),
    spanId: hex(counter, 16).replace(/^0/, 'b'),
    name: 'GET /orders/:id',
    kind: 2,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + BigInt(Math.round(durationMs * 1e6))),
    attributes: [
      str('http.request.method', 'GET'),
      str('http.route', '/orders/:id'),
      int('http.response.status_code', 200),
    ],
    ...overrides,
  };
}

/** An ExportTraceServiceRequest in OTLP/JSON form: one resource (service.name etc.) holding the spans. */
export function traceRequest(
  spans: TestSpan[],
  resource: { key: string; value: Record<string, unknown> }[] = [str('service.name', 'checkout')],
) {
  return {
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'test' }, spans }] }],
  };
}

/** OTLP/JSON with hex ids -> the protobuf encoding of the same request (ids as bytes). */
export function toProtobuf(request: unknown): Buffer {
  const bytesOf = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'hex') : value);
  const convert = (node: unknown, key?: string): unknown => {
    if (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') return bytesOf(node);
    if (Array.isArray(node)) return node.map((n) => convert(n));
    if (typeof node === 'object' && node !== null)
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, convert(v, k)]));
    return node;
  };
  const type = protoSchemas().exportTraceRequest;
  return Buffer.from(type.encode(type.fromObject(convert(request) as Record<string, unknown>)).finish());
}
