import { protoSchemas } from '../otlp/proto-schemas.js';
import type protobuf from 'protobufjs';
import { serverSpan, toProtobuf, traceRequest } from './otlp-trace-requests.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
/** A length-delimited field: tag, length, bytes. */
const field = (id: number, bytes: Uint8Array) =>
  Buffer.concat([Buffer.from([(id << 3) | 2, ...varint(bytes.length)]), bytes]);

/**
 * An AnyValue nesting `depth` AnyValues through array values (`{arrayValue: {values: [...]}}`), innermost the
 * string "x", written outside-in in one pass (wrapping inside-out would copy the body once per level).
 */
function deepAnyValue(depth: number): Buffer {
  const inner = field(1, Buffer.from('x'));
  const sizes = [inner.length];
  for (let k = 1; k < depth; k++) {
    const array = 1 + varint(sizes[k - 1]!).length + sizes[k - 1]!;
    sizes.push(1 + varint(array).length + array);
  }
  const parts: number[] = [];
  for (let k = depth - 1; k >= 1; k--) {
    const array = 1 + varint(sizes[k - 1]!).length + sizes[k - 1]!;
    parts.push(0x2a, ...varint(array), 0x0a, ...varint(sizes[k - 1]!));
  }
  return Buffer.concat([Buffer.from(parts), inner]);
}

/**
 * A protobuf ExportTraceServiceRequest of one valid SERVER span carrying one more attribute, `deep`, whose value
 * nests `depth` AnyValues: the shape of a nesting attack on POST /v1/traces.
 */
export function deepAnyValueTraceRequest(
  depth: number,
  startMs = Date.parse('2026-11-23T11:59:00Z'),
): Buffer {
  const span = toProtobuf(traceRequest([serverSpan(startMs, 1)]));
  const decoded = protoSchemas().exportTraceRequest.decode(span) as unknown as {
    resourceSpans: { resource: unknown; scopeSpans: { spans: unknown[] }[] }[];
  };
  const root = protoSchemas().exportTraceRequest.root;
  const encode = (name: string, value: unknown) => {
    const type = root.lookupType(name);
    return type.encode(value as protobuf.Message).finish();
  };
  const resourceSpans = decoded.resourceSpans[0]!;
  const spanBytes = Buffer.concat([
    encode('opentelemetry.proto.trace.v1.Span', resourceSpans.scopeSpans[0]!.spans[0]),
    field(9, Buffer.concat([field(1, Buffer.from('deep')), field(2, deepAnyValue(depth))])),
  ]);
  const resource = encode('opentelemetry.proto.resource.v1.Resource', resourceSpans.resource);
  return field(1, Buffer.concat([field(1, resource), field(2, field(2, spanBytes))]));
}
