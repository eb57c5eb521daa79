import type { RawEdge } from '../../domain/raw-record.js';
import {
  readInteger,
  readNumber,
  readOptionalString,
  readString,
  readTimestamp,
  type Item,
} from '../domain/field-readers.js';
import type { ItemError } from '../domain/item-error.js';
import { maxLatencyMs, parseItem, type FactContext } from '../domain/parse-request-fact.js';
import { firstInteger, firstString, type AttributeSource } from './otlp-values.js';
import { samplingWeight } from './sampling-weight.js';
import type { SpanReading } from './span-reading.js';

/**
 * Where a CLIENT span names the service it called, best first (docs/adr/0085): `peer.service` is the name the
 * caller's instrumentation gives the callee's service; `server.address` (`net.peer.name` before HTTP semconv
 * 1.21) with its port names the host it connected to (a database, a proxy, another cluster's Service).
 */
const calleeKeys = ['peer.service', 'server.address', 'net.peer.name'];
const portKeys: Record<string, string> = {
  'server.address': 'server.port',
  'net.peer.name': 'net.peer.port',
};
const statusKeys = ['http.response.status_code', 'http.status_code'];
/** Every span attribute the client-span rules read (the one-pass reader keeps these, scan-trace-request.ts). */
export const clientSpanKeys = [...calleeKeys, ...Object.values(portKeys), ...statusKeys];

/** The callee a CLIENT span names, and the attribute it came from; undefined when it names none. */
export function readCallee(attributes: AttributeSource): { key: string; value: string } | undefined {
  const named = firstString(attributes, calleeKeys);
  if (named === undefined || named.key === 'peer.service') return named;
  const portKey = portKeys[named.key]!;
  const port = firstInteger(attributes, [portKey]);
  return port === undefined ? named : { key: named.key, value: `${named.value}:${port.value}` };
}

/**
 * The edge's own rules, the facts' readers: the same text rule, lengths, time window and status range. The key
 * order of the literal, then `callee`, is the WAL text's (rawEdgeJson, wal/wal-record-json.ts).
 */
function readEdge(item: Item, ctx: FactContext): RawEdge {
  const edge: RawEdge = {
    kind: 'edge',
    tenant: ctx.tenant,
    event_id: readString(item, 'event_id', 128),
    ts: readTimestamp(item, 'timestamp', ctx.window),
    caller: readString(item, 'caller', 128),
    status_code: readInteger(item, 'status_code', 100, 599),
    latency_ms: readNumber(item, 'latency_ms', 0, maxLatencyMs),
    trace_id: readString(item, 'trace_id', 32),
    span_id: readString(item, 'span_id', 16),
  };
  const callee = readOptionalString(item, 'callee', 256);
  // Only the caller is a service of the tenant's service budget; the pair is held to the edge budget, past which
  // the callee folds into the overflow service, which the map shows.
  edge.caller = ctx.routes.admitService(ctx.tenant, edge.caller);
  if (callee !== undefined) edge.callee = ctx.routes.admitEdge(ctx.tenant, edge.caller, callee);
  return edge;
}

/** Where each edge field came from in OTLP terms, so a rejected span's error names what the client sent. */
function otlpField(field: string | undefined, fields: ClientSpanFields): string {
  switch (field) {
    case 'caller':
      return 'resource.attributes[service.name]';
    case 'callee':
      return `attributes[${fields.callee?.key ?? calleeKeys[0]}]`;
    case 'status_code':
      return `attributes[${fields.status?.key ?? statusKeys[0]}]`;
    case 'timestamp':
      return 'startTimeUnixNano';
    case 'latency_ms':
      return 'endTimeUnixNano';
    default:
      return field ?? 'span';
  }
}

export type ClientSpanOutcome = { edge: RawEdge } | { error: ItemError; item: unknown };

interface ClientSpanFields {
  callee: { key: string; value: string } | undefined;
  status: { key: string; value: number } | undefined;
  /** The edge-shaped item readEdge validates (and the dead letter keeps). */
  item: Item;
}

function readClientSpanFields(span: SpanReading, caller: unknown): ClientSpanFields {
  const { traceId, spanId, start, end } = span;
  const callee = readCallee(span.attribute);
  const status = firstInteger(span.attribute, statusKeys);
  const item: Item = {
    event_id: traceId && spanId ? `${traceId}-${spanId}` : undefined,
    timestamp: start === undefined ? undefined : Number(start / 1_000_000n),
    caller,
    callee: callee?.value,
    // Without an HTTP status (a refused connection, a database call) the span's own status decides, as for facts.
    status_code: status?.value ?? (span.errorStatus ? 500 : 200),
    latency_ms:
      start !== undefined && end !== undefined && end >= start ? Number(end - start) / 1e6 : undefined,
    trace_id: traceId,
    span_id: spanId,
  };
  return { callee, status, item };
}

/** The checks the edge readers do not make: ids, end before start. */
function spanProblem(span: SpanReading): { field: string; message: string } | undefined {
  if (!span.traceId) return { field: 'traceId', message: 'traceId must be 16 bytes, not all zero' };
  if (!span.spanId) return { field: 'spanId', message: 'spanId must be 8 bytes, not all zero' };
  if (span.start !== undefined && span.end !== undefined && span.end < span.start)
    return { field: 'endTimeUnixNano', message: 'endTimeUnixNano must not be before startTimeUnixNano' };
  return undefined;
}

/**
 * A CLIENT span as a service-map edge (docs/adr/0085). Every CLIENT span is a call from its service, HTTP or not
 * (gRPC, a database driver); the callee is what it names, or, when it names nothing, left to the rollup's match
 * with the SERVER span whose parent it is.
 */
export function mapClientSpan(
  span: SpanReading,
  index: number,
  caller: unknown,
  ctx: FactContext,
): ClientSpanOutcome {
  const fields = readClientSpanFields(span, caller);
  const problem = spanProblem(span);
  if (problem) {
    return { error: { index, code: 'INVALID_VALUE', ...problem }, item: fields.item };
  }
  // The attribute keys the fields came from are needed only to name a rejected span's field, so the context is
  // the facts' own, not a per-span copy (docs/adr/0135).
  const parsed = parseItem(fields.item, index, ctx, readEdge);
  if (!parsed.ok) {
    const field = otlpField(parsed.error.field, fields);
    return { error: { ...parsed.error, field }, item: fields.item };
  }
  const weight = samplingWeight(span.traceState, span.attribute);
  if (weight !== 1) parsed.value.weight = weight;
  return { edge: parsed.value };
}
