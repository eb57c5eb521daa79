import {
  attribute,
  firstString,
  isErrorStatus,
  own,
  readId,
  readSpanKind,
  readUint64,
  repeated,
  type AttributeLookup,
} from './otlp-values.js';

/**
 * What the span-to-record rules read of one span, whichever way it was decoded: protobufjs's message or the
 * OTLP/JSON document (`decodedSpanReading`), or the protobuf bytes read in one pass (scan-trace-request.ts).
 * Holding both to this one shape is what keeps their records and answers the same (docs/adr/0118).
 */
export interface SpanReading {
  /** The OTLP SpanKind number (0 when absent). */
  readonly kind: number;
  /** Lowercase hex, undefined unless 16 (trace) / 8 (span) bytes not all zero. */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly parentSpanId: string | undefined;
  /** '' when absent. */
  readonly traceState: string;
  /** Nanoseconds; undefined when absent (protobuf's 0). */
  readonly start: bigint | undefined;
  readonly end: bigint | undefined;
  /** The span's status code is STATUS_CODE_ERROR. */
  readonly errorStatus: boolean;
  /** The first attribute of that key, as `attribute` reads a KeyValue list. */
  readonly attribute: AttributeLookup;
}

/** The semantic-convention names of the deployment environment, current first. */
export const envKeys = ['deployment.environment.name', 'deployment.environment'];

/** The resource attributes resourceViewOf reads. */
export const resourceKeys = ['service.name', 'service.version', ...envKeys];

/** What the rules read of a span's resource. */
export interface ResourceView {
  service: unknown;
  version: unknown;
  env: unknown;
}

/** A resource's view from a lookup over its attributes. */
export function resourceViewOf(attribute: AttributeLookup): ResourceView {
  return {
    service: firstString(attribute, ['service.name'])?.value,
    version: firstString(attribute, ['service.version'])?.value,
    env: firstString(attribute, envKeys)?.value,
  };
}

/** The resource of a decoded ResourceSpans (protobufjs message or OTLP/JSON). */
export function decodedResourceView(resourceSpans: unknown): ResourceView {
  const attributes = repeated(own(resourceSpans, 'resource'), 'attributes') ?? [];
  return resourceViewOf((key) => attribute(attributes, key));
}

/** A decoded span's kind alone: what decides whether the rest is read. */
export function decodedSpanKind(span: unknown): number {
  return readSpanKind(own(span, 'kind'));
}

/** A decoded span (protobufjs message or OTLP/JSON) through the readers of otlp-values.ts. */
export function decodedSpanReading(span: unknown): SpanReading {
  const attributes = repeated(span, 'attributes') ?? [];
  const traceState = own(span, 'traceState');
  return {
    kind: decodedSpanKind(span),
    traceId: readId(own(span, 'traceId'), 16),
    spanId: readId(own(span, 'spanId'), 8),
    parentSpanId: readId(own(span, 'parentSpanId'), 8),
    traceState: typeof traceState === 'string' ? traceState : '',
    start: readUint64(own(span, 'startTimeUnixNano')),
    end: readUint64(own(span, 'endTimeUnixNano')),
    errorStatus: isErrorStatus(own(span, 'status')),
    attribute: (key) => attribute(attributes, key),
  };
}
