import { isRecordKind, type IndexedSpan } from './map-trace-request.js';
import { protoSchemas } from './proto-schemas.js';
import {
  declined,
  messageRule,
  skipMessage,
  WireDeclined,
  WireReader,
  type MessageRule,
} from './protobuf-wire.js';
import {
  lookupIn,
  resourceKeys,
  SpanBytes,
  spanKeys,
  type KeptAttributes,
  type KeyMatcher,
} from './span-bytes.js';
import { resourceViewOf, type ResourceView, type SpanReading } from './span-reading.js';
import type { AttributeValue } from './otlp-values.js';

/** A record span before its resource is known. */
interface PendingSpan {
  span: SpanReading;
  index: number;
}

interface SkippedRules {
  scope: MessageRule;
  event: MessageRule;
  link: MessageRule;
  entityRef: MessageRule;
  arrayValue: MessageRule;
  kvlist: MessageRule;
}

let skipped: SkippedRules | undefined;

/** The rules of the messages read only to check them, from the vendored schema. */
function skippedRules(): SkippedRules {
  if (skipped) return skipped;
  const root = protoSchemas().exportTraceRequest.root;
  const rule = (name: string) => messageRule(root.lookupType(name));
  skipped = {
    scope: rule('opentelemetry.proto.common.v1.InstrumentationScope'),
    event: rule('opentelemetry.proto.trace.v1.Span.Event'),
    link: rule('opentelemetry.proto.trace.v1.Span.Link'),
    entityRef: rule('opentelemetry.proto.common.v1.EntityRef'),
    arrayValue: rule('opentelemetry.proto.common.v1.ArrayValue'),
    kvlist: rule('opentelemetry.proto.common.v1.KeyValueList'),
  };
  return skipped;
}

/** AnyValue's oneof members by field number (a later member replaces an earlier one, as protobufjs's oneof). */
const enum Member {
  none = 0,
  string = 1,
  bool = 2,
  int = 3,
  double = 4,
}

/** One pass over an ExportTraceServiceRequest's bytes; state of the KeyValue being read lives on the scanner. */
class TraceScanner {
  readonly r: WireReader;
  readonly rules = skippedRules();
  readonly spans: IndexedSpan[] = [];
  /** The span being read (spans do not nest); reset for each. */
  readonly fields = new SpanBytes();
  total = 0;
  // The KeyValue being read: its key's bytes (the last one sent), its value's oneof member and value.
  keyStart = -1;
  keyEnd = -1;
  member = Member.none;
  numeric: number | boolean = 0;
  textStart = 0;
  textEnd = 0;

  constructor(
    body: Buffer,
    readonly maxDepth: number,
  ) {
    this.r = new WireReader(body);
  }

  request(): void {
    const { r } = this;
    const end = r.buf.length;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((1 << 3) | 2)) this.resourceSpans(r.delimited(end));
      else r.skip(tag & 7, tag >>> 3, end);
    }
  }

  private resourceSpans(end: number): void {
    this.depth(2);
    const { r } = this;
    const pending: PendingSpan[] = [];
    const kept: KeptAttributes = new Map();
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((1 << 3) | 2)) this.resource(r.delimited(end), kept);
      else if (tag === ((2 << 3) | 2)) this.scopeSpans(r.delimited(end), pending);
      else if (tag === ((3 << 3) | 2)) this.text(end);
      else r.skip(tag & 7, tag >>> 3, end);
    }
    // The resource may follow its spans on the wire; protobufjs merges a repeated `resource` field.
    const resource: ResourceView = resourceViewOf(lookupIn(kept));
    for (const { span, index } of pending) this.spans.push({ span, index, resource });
  }

  private resource(end: number, kept: KeptAttributes): void {
    this.depth(3);
    const { r } = this;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((1 << 3) | 2)) this.keyValue(r.delimited(end), resourceKeys, kept, 4);
      else if (tag === ((2 << 3) | 0)) r.varint(end);
      else if (tag === ((3 << 3) | 2))
        skipMessage(r, r.delimited(end), this.rules.entityRef, 4, this.maxDepth);
      else r.skip(tag & 7, tag >>> 3, end);
    }
  }

  private scopeSpans(end: number, pending: PendingSpan[]): void {
    this.depth(3);
    const { r } = this;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((2 << 3) | 2)) this.span(r.delimited(end), pending);
      else if (tag === ((1 << 3) | 2)) skipMessage(r, r.delimited(end), this.rules.scope, 4, this.maxDepth);
      else if (tag === ((3 << 3) | 2)) this.text(end);
      else r.skip(tag & 7, tag >>> 3, end);
    }
  }

  /** A string field checked and skipped. */
  private text(end: number): void {
    const { r } = this;
    const stop = r.delimited(end);
    r.checkUtf8(r.pos, stop);
    r.pos = stop;
  }

  /** Declines nesting the reference path would judge (its own limit or protobufjs's recursion limit). */
  private depth(depth: number): void {
    if (depth > this.maxDepth) throw declined;
  }

  private span(end: number, pending: PendingSpan[]): void {
    this.depth(4);
    const { fields } = this;
    fields.reset();
    const { r } = this;
    while (r.pos < end) {
      const tag = r.tag(end);
      if ((tag & 7) === 2) this.spanDelimited(tag >>> 3, end, fields);
      else this.spanScalar(tag, end, fields);
    }
    const index = this.total;
    this.total += 1;
    if (isRecordKind(fields.kind)) pending.push({ span: fields.reading(r.buf), index });
  }

  /** A span's length-delimited field: ids, trace state and name kept as ranges, messages read or checked. */
  private spanDelimited(id: number, end: number, fields: SpanBytes): void {
    const { r } = this;
    if (id === 0) throw declined;
    const stop = r.delimited(end);
    if (id <= 5) {
      if (id === 3 || id === 5) r.checkUtf8(r.pos, stop);
      // An empty value deletes the field in protobufjs (proto3 default): kept as an empty range.
      fields.ranges[id] = r.pos;
      fields.rangeEnds[id] = stop;
    } else if (id === 9) fields.kept = this.keyValue(stop, spanKeys, fields.kept, 5);
    else if (id === 15) fields.errorStatus = this.status(stop, fields.errorStatus);
    else if (id === 11) skipMessage(r, stop, this.rules.event, 5, this.maxDepth);
    else if (id === 13) skipMessage(r, stop, this.rules.link, 5, this.maxDepth);
    // Any other number with this wire type is an unknown field to protobufjs: skipped.
    r.pos = stop;
  }

  /** A span's other fields: the kind and times kept, counts and flags checked. */
  private spanScalar(tag: number, end: number, fields: SpanBytes): void {
    const { r } = this;
    switch (tag) {
      case (6 << 3) | 0:
        fields.kind = r.varint(end) | 0;
        return;
      case (7 << 3) | 1:
        fields.times[0] = r.fixed(8, end);
        return;
      case (8 << 3) | 1:
        fields.times[1] = r.fixed(8, end);
        return;
      case (10 << 3) | 0:
      case (12 << 3) | 0:
      case (14 << 3) | 0:
        r.varint(end);
        return;
      case (16 << 3) | 5:
        r.fixed(4, end);
        return;
      default:
        r.skip(tag & 7, tag >>> 3, end);
    }
  }

  /** A Status message (merged into the span's earlier one): whether its code is STATUS_CODE_ERROR. */
  private status(end: number, wasError: boolean): boolean {
    this.depth(5);
    const { r } = this;
    let error = wasError;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((3 << 3) | 0)) error = (r.varint(end) | 0) === 2;
      else if (tag === ((2 << 3) | 2)) this.text(end);
      else r.skip(tag & 7, tag >>> 3, end);
    }
    return error;
  }

  /**
   * A KeyValue at `depth`: kept (the first time its key is seen) when its key is one of `keys`, its value read as
   * `readAnyValue` reads the decoded message (scalars only). Returns the map of kept values, made on first use.
   */
  private keyValue(
    end: number,
    keys: KeyMatcher,
    kept: KeptAttributes | undefined,
    depth: number,
  ): KeptAttributes | undefined {
    this.depth(depth);
    const { r } = this;
    this.keyStart = -1;
    this.member = Member.none;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === ((1 << 3) | 2)) {
        const stop = r.delimited(end);
        r.checkUtf8(r.pos, stop);
        this.keyStart = stop > r.pos ? r.pos : -1;
        this.keyEnd = stop;
        r.pos = stop;
      } else if (tag === ((2 << 3) | 2)) this.anyValue(r.delimited(end), depth + 1);
      else if (tag === ((3 << 3) | 0)) r.varint(end);
      else r.skip(tag & 7, tag >>> 3, end);
    }
    if (this.keyStart < 0) return kept;
    const key = keys.match(r.buf, this.keyStart, this.keyEnd);
    if (key === undefined || kept?.has(key)) return kept;
    const map = kept ?? new Map();
    map.set(key, this.value());
    return map;
  }

  private value(): AttributeValue | undefined {
    switch (this.member) {
      case Member.string:
        return this.r.text(this.textStart, this.textEnd);
      case Member.int:
      case Member.double:
      case Member.bool:
        return this.numeric;
      default:
        return undefined;
    }
  }

  /** An AnyValue (merged into the KeyValue's earlier one): its last oneof member. */
  private anyValue(end: number, depth: number): void {
    this.depth(depth);
    const { r } = this;
    while (r.pos < end) {
      const tag = r.tag(end);
      if ((tag & 7) === 2) this.anyValueDelimited(tag >>> 3, end, depth);
      else this.anyValueScalar(tag, end);
    }
  }

  private anyValueDelimited(id: number, end: number, depth: number): void {
    const { r } = this;
    if (id === 0) throw declined;
    const stop = r.delimited(end);
    if (id === 1) {
      r.checkUtf8(r.pos, stop);
      this.member = Member.string;
      this.textStart = r.pos;
      this.textEnd = stop;
    } else if (id === 5 || id === 6) {
      const rule = id === 5 ? this.rules.arrayValue : this.rules.kvlist;
      skipMessage(r, stop, rule, depth + 1, this.maxDepth);
      this.member = Member.none;
    } else if (id === 7) this.member = Member.none;
    r.pos = stop;
  }

  private anyValueScalar(tag: number, end: number): void {
    const { r } = this;
    switch (tag) {
      case (2 << 3) | 0:
        this.numeric = r.bool(end);
        this.member = Member.bool;
        return;
      case (3 << 3) | 0: {
        const lo = r.varint(end);
        // protobufjs's Long, as readInt64 turns it into a number: a signed high word.
        this.numeric = (r.hi | 0) * 4294967296 + lo;
        this.member = Member.int;
        return;
      }
      case (4 << 3) | 1:
        this.numeric = r.buf.readDoubleLE(r.fixed(8, end));
        this.member = Member.double;
        return;
      case (8 << 3) | 0:
        r.varint(end);
        this.member = Member.none;
        return;
      default:
        r.skip(tag & 7, tag >>> 3, end);
    }
  }
}

/** What one pass over a protobuf ExportTraceServiceRequest found. */
export interface ScannedTraceRequest {
  /** SERVER, CONSUMER and CLIENT spans in request order, with their resources: what the item rate charges. */
  recordSpans: IndexedSpan[];
  /** Every span of the request. */
  spans: number;
}

/**
 * Reads a protobuf ExportTraceServiceRequest in one pass, keeping of each SERVER, CONSUMER and CLIENT span only
 * what the mapping reads, or undefined when the bytes should go to protobufjs (malformed, unusual encodings,
 * nesting deeper than `maxDepth` or protobufjs's recursion limit): the reference path then gives the answer.
 */
export function scanTraceRequest(body: Buffer, maxDepth: number): ScannedTraceRequest | undefined {
  const scanner = new TraceScanner(body, Math.min(maxDepth, 100));
  try {
    scanner.request();
  } catch (error) {
    if (error instanceof WireDeclined) return undefined;
    throw error;
  }
  return { recordSpans: scanner.spans, spans: scanner.total };
}
