import type { RawFact } from '../../domain/raw-record.js';
import type { ItemError } from '../domain/item-error.js';
import { parseRequestFact, type FactContext } from '../domain/parse-request-fact.js';
import { deadLetter } from '../domain/validate-batch.js';
import type { WalRecord } from '../wal/wal-record.js';
import { mapClientSpan, type ClientSpanOutcome } from './map-client-span.js';
import { firstInteger, firstString, repeated, spanKind, type AttributeLookup } from './otlp-values.js';
import { samplingWeight } from './sampling-weight.js';
import {
  decodedResourceView,
  decodedSpanKind,
  decodedSpanReading,
  envKeys,
  type ResourceView,
  type SpanReading,
} from './span-reading.js';

/** A request whose shape is not an ExportTraceServiceRequest (only reachable through OTLP/JSON). */
export class MalformedTraceRequestError extends Error {
  readonly code = 'MALFORMED_BODY';
}

/** The semantic-convention names read, current first, then the names before HTTP semconv 1.23. */
const methodKeys = ['http.request.method', 'http.method'];
const statusKeys = ['http.response.status_code', 'http.status_code'];
const pathKeys = ['http.route', 'url.path', 'http.target', 'url.full', 'http.url'];
/** Every span attribute the server-span rules read (the one-pass reader keeps these, scan-trace-request.ts). */
export const serverSpanKeys = [...methodKeys, ...statusKeys, ...pathKeys];

export interface MappedTraceRequest {
  /** Dead letters (rejected spans), then request facts and service-map edges, in span order: the WAL frame. */
  records: WalRecord[];
  /** Request facts (SERVER and CONSUMER spans). */
  accepted: number;
  /** Service-map edges (CLIENT spans, docs/adr/0085). */
  edges: number;
  /** Rejected spans, indexed by their position among all spans of the request. */
  rejected: ItemError[];
  /** Spans that are neither HTTP server or consumer spans nor CLIENT spans: counted, not errors. */
  skipped: number;
  spans: number;
}

/** The path part of a path, a target with a query, or a full URL; undefined when there is none. */
function pathOf(key: string, value: string): string | undefined {
  if (key === 'http.route' || key === 'url.path') return value;
  if (key === 'http.target') return value.split('?')[0];
  try {
    return new URL(value).pathname;
  } catch {
    return undefined;
  }
}

/** Where a fact field came from in OTLP terms, so a rejected span's error names what the client sent. */
const fixedOtlpFields: Record<string, string> = {
  service: 'resource.attributes[service.name]',
  version: 'resource.attributes[service.version]',
  env: `resource.attributes[${envKeys[0]}]`,
  timestamp: 'startTimeUnixNano',
  latency_ms: 'endTimeUnixNano',
};
const attributeFields: Record<string, readonly string[]> = {
  method: methodKeys,
  path: pathKeys,
  status_code: statusKeys,
};

function otlpField(field: string | undefined, attribute: AttributeLookup): string | undefined {
  if (field === undefined) return undefined;
  const keys = attributeFields[field];
  if (keys === undefined) return fixedOtlpFields[field] ?? field;
  const sent = field === 'status_code' ? firstInteger(attribute, keys) : firstString(attribute, keys);
  return `attributes[${sent?.key ?? keys[0]}]`;
}

type SpanOutcome = { fact: RawFact } | ClientSpanOutcome | 'skipped';

function reject(index: number, field: string, message: string, item: unknown): SpanOutcome {
  const code = message.endsWith('is required') ? 'MISSING_FIELD' : 'INVALID_VALUE';
  return { error: { index, code, field, message }, item };
}

interface SpanFields {
  path: { key: string; value: string } | undefined;
  /** The fact-shaped item parseRequestFact validates (and the dead letter keeps). */
  item: Record<string, unknown>;
}

function latencyMs(start: bigint | undefined, end: bigint | undefined): number | undefined {
  return start !== undefined && end !== undefined && end >= start ? Number(end - start) / 1e6 : undefined;
}

function readSpanFields(span: SpanReading, method: string, resource: ResourceView): SpanFields {
  const { traceId, spanId, start } = span;
  const path = firstString(span.attribute, pathKeys);
  const status = firstInteger(span.attribute, statusKeys);
  const item: Record<string, unknown> = {
    event_id: traceId && spanId ? `${traceId}-${spanId}` : undefined,
    timestamp: start === undefined ? undefined : Number(start / 1_000_000n),
    service: resource.service,
    method: method === '_OTHER' ? method : method.toUpperCase(),
    path: path ? pathOf(path.key, path.value) : undefined,
    // Without an HTTP status (a consumer span, an aborted request) the span's own status decides.
    status_code: status?.value ?? (span.errorStatus ? 500 : 200),
    latency_ms: latencyMs(start, span.end),
    env: resource.env,
    version: resource.version,
    trace_id: traceId,
  };
  return { path, item };
}

/** The checks a fact does not make: ids, end before start, a URL without a path. */
function spanProblem(span: SpanReading, f: SpanFields): { field: string; message: string } | undefined {
  if (!span.traceId) return { field: 'traceId', message: 'traceId must be 16 bytes, not all zero' };
  if (!span.spanId) return { field: 'spanId', message: 'spanId must be 8 bytes, not all zero' };
  if (span.start !== undefined && span.end !== undefined && span.end < span.start)
    return { field: 'endTimeUnixNano', message: 'endTimeUnixNano must not be before startTimeUnixNano' };
  if (f.path && f.item['path'] === undefined)
    return { field: `attributes[${f.path.key}]`, message: `${f.path.key} must be a URL` };
  return undefined;
}

/**
 * One span as a request fact: an HTTP server span (SERVER, or CONSUMER for HTTP-delivered messages such as
 * webhooks) with a method. The fact goes through parseRequestFact, so every rule, error and budget is a fact's.
 */
function mapServerSpan(
  span: SpanReading,
  index: number,
  resource: ResourceView,
  ctx: FactContext,
): SpanOutcome {
  const method = firstString(span.attribute, methodKeys);
  if (method === undefined) return 'skipped';
  const fields = readSpanFields(span, method.value, resource);
  const problem = spanProblem(span, fields);
  if (problem) return reject(index, problem.field, problem.message, fields.item);
  const parsed = parseRequestFact(fields.item, index, ctx);
  if (!parsed.ok) {
    const field = otlpField(parsed.error.field, span.attribute);
    return { error: { ...parsed.error, ...(field === undefined ? {} : { field }) }, item: fields.item };
  }
  const fact = parsed.value;
  fact.span_id = span.spanId;
  // The service map names an edge's callee from the SERVER span whose parent is the CLIENT span (docs/adr/0085).
  if (span.parentSpanId !== undefined) fact.parent_span_id = span.parentSpanId;
  const weight = samplingWeight(span.traceState, span.attribute);
  if (weight !== 1) fact.weight = weight;
  return { fact };
}

/** Whether a span of this kind becomes a record: SERVER and CONSUMER spans facts, CLIENT spans edges. */
export function isRecordKind(kind: number): boolean {
  return kind === spanKind.server || kind === spanKind.consumer || kind === spanKind.client;
}

/** A span by its kind: SERVER and CONSUMER spans become facts, CLIENT spans edges (docs/adr/0085), others nothing. */
function mapSpan(span: SpanReading, index: number, resource: ResourceView, ctx: FactContext): SpanOutcome {
  if (span.kind === spanKind.client) return mapClientSpan(span, index, resource.service, ctx);
  if (span.kind === spanKind.server || span.kind === spanKind.consumer)
    return mapServerSpan(span, index, resource, ctx);
  return 'skipped';
}

const malformed = (what: string) =>
  new MalformedTraceRequestError(`body is not an ExportTraceServiceRequest: ${what} must be an array`);

/** Every span of a decoded request with its resource, in order; throws on a shape that is not a request. */
function* spansOf(request: unknown): Generator<{ span: unknown; resource: () => ResourceView }> {
  const resourceSpansList = repeated(request, 'resourceSpans');
  if (!resourceSpansList) throw malformed('resourceSpans');
  for (const resourceSpans of resourceSpansList) {
    let view: ResourceView | undefined;
    const resource = () => (view ??= decodedResourceView(resourceSpans));
    const scopeSpansList = repeated(resourceSpans, 'scopeSpans');
    if (!scopeSpansList) throw malformed('resourceSpans[].scopeSpans');
    for (const scopeSpans of scopeSpansList) {
      const spans = repeated(scopeSpans, 'spans');
      if (!spans) throw malformed('scopeSpans[].spans');
      for (const span of spans) yield { span, resource };
    }
  }
}

/** One span to map: what it reads, where it stands among all spans of the request, its resource. */
export interface IndexedSpan {
  span: SpanReading;
  index: number;
  resource: ResourceView;
}

/**
 * Maps the record spans of a request to WAL records: request facts for HTTP server spans, edges for CLIENT spans,
 * dead letters for spans that break a rule; `spans` counts every span of the request, the others skipped.
 */
export function mapSpanReadings(
  recordSpans: Iterable<IndexedSpan>,
  spans: number,
  ctx: FactContext,
  now: number,
): MappedTraceRequest {
  const facts: WalRecord[] = [];
  const deadLetters: WalRecord[] = [];
  const rejected: ItemError[] = [];
  let [skipped, edges, seen] = [0, 0, 0];
  for (const { span, index, resource } of recordSpans) {
    const outcome = mapSpan(span, index, resource, ctx);
    seen += 1;
    if (outcome === 'skipped') skipped += 1;
    else if ('fact' in outcome) facts.push(outcome.fact);
    else if ('edge' in outcome) {
      facts.push(outcome.edge);
      edges += 1;
    } else {
      rejected.push(outcome.error);
      deadLetters.push(deadLetter(ctx.tenant, now, outcome.error, outcome.item));
    }
  }
  const records = deadLetters.length === 0 ? facts : [...deadLetters, ...facts];
  skipped += spans - seen;
  return { records, accepted: facts.length - edges, edges, rejected, skipped, spans };
}

/** The record spans of a decoded request, read; `counter.spans` ends as the count of all its spans. */
function* decodedRecordSpans(request: unknown, counter: { spans: number }): Generator<IndexedSpan> {
  for (const { span, resource } of spansOf(request)) {
    const index = counter.spans;
    counter.spans += 1;
    if (isRecordKind(decodedSpanKind(span)))
      yield { span: decodedSpanReading(span), index, resource: resource() };
  }
}

/**
 * Maps every span of an ExportTraceServiceRequest (decoded protobuf or OTLP/JSON) to WAL records: request facts
 * for HTTP server spans, dead letters for spans that break a rule, nothing for other spans.
 */
export function mapTraceRequest(request: unknown, ctx: FactContext, now: number): MappedTraceRequest {
  const counter = { spans: 0 };
  const readings = [...decodedRecordSpans(request, counter)];
  return mapSpanReadings(readings, counter.spans, ctx, now);
}

/**
 * How many spans of a request could become records (SERVER and CONSUMER spans facts, CLIENT spans edges): what
 * the item rate is charged.
 */
export function countRecordSpans(request: unknown): number {
  let n = 0;
  try {
    for (const { span } of spansOf(request)) if (isRecordKind(decodedSpanKind(span))) n += 1;
  } catch (error) {
    if (!(error instanceof MalformedTraceRequestError)) throw error;
  }
  return n;
}
