/**
 * Fast path for the rollup's hot loop: reads a raw fact line straight from the inflated bytes, without
 * JSON.parse, per-line strings or per-field allocations (low-cardinality strings are interned). It accepts
 * only the compact form JSON.stringify writes for a fact (no whitespace, no escapes, no nested values, ASCII
 * event_id); anything else answers false and the caller falls back to parseRawLine, which is authoritative.
 */
import { readCanonicalFactPrefix } from './canonical-fact-prefix.js';
import { parseJsonNumber } from './simple-json-number.js';

export { parseJsonNumber, parseSimpleJsonNumber } from './simple-json-number.js';

const quote = 0x22;
const backslash = 0x5c;
const comma = 0x2c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;

const enum Key {
  Unknown,
  Kind,
  EventId,
  Ts,
  Service,
  Method,
  Path,
  StatusCode,
  LatencyMs,
  Ignored,
  TraceId,
  SpanId,
  ParentSpanId,
}

/** The eight keys every fact must have (Kind..LatencyMs), one bit each in `seen`. */
const requiredKeys = 0b11111111;

const keyBytes: [Key, Uint8Array][] = (
  [
    [Key.Kind, 'kind'],
    [Key.EventId, 'event_id'],
    [Key.Ts, 'ts'],
    [Key.Service, 'service'],
    [Key.Method, 'method'],
    [Key.Path, 'path'],
    [Key.StatusCode, 'status_code'],
    [Key.LatencyMs, 'latency_ms'],
    [Key.Ignored, 'tenant'],
    [Key.Ignored, 'env'],
    [Key.Ignored, 'version'],
    // Kept as byte ranges: a fact with a trace id may become an exemplar (request-exemplars.ts).
    [Key.TraceId, 'trace_id'],
    // OTLP facts carry their span id; a `weight` (sampled spans) is not known here, so a weighted line takes
    // parseRawLine and the aggregator's weighted path.
    [Key.SpanId, 'span_id'],
    // A SERVER span's parent: the service map names unresolved edges' callees from it (docs/adr/0085).
    [Key.ParentSpanId, 'parent_span_id'],
  ] as const
).map(([key, name]) => [key, new TextEncoder().encode(name)]);

const factBytes = new TextEncoder().encode('fact');

function sameBytes(buf: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[start + i] !== expected[i]) return false;
  return true;
}

// Keys indexed by length, then by first byte; `service` and `span_id` share both, so a slot holds a short list.
const keysByLength = new Map<number, Map<number, [Key, Uint8Array][]>>();
for (const entry of keyBytes) {
  const [, bytes] = entry;
  const byFirst = keysByLength.get(bytes.length) ?? new Map<number, [Key, Uint8Array][]>();
  byFirst.set(bytes[0]!, [...(byFirst.get(bytes[0]!) ?? []), entry]);
  keysByLength.set(bytes.length, byFirst);
}

function keyOf(buf: Uint8Array, start: number, end: number): Key {
  const candidates = keysByLength.get(end - start)?.get(buf[start]!);
  if (candidates === undefined) return Key.Unknown;
  for (const [key, bytes] of candidates) if (sameBytes(buf, start, end, bytes)) return key;
  return Key.Unknown;
}

/** The fact fields, reused between lines: read them before the next scan. */
export interface ScannedFact {
  ts: number;
  service: string;
  method: string;
  path: string;
  status_code: number;
  latency_ms: number;
  idStart: number;
  idEnd: number;
  /** Byte ranges of service, method and path (always set; the strings only when the scanner interns). */
  serviceStart: number;
  serviceEnd: number;
  methodStart: number;
  methodEnd: number;
  pathStart: number;
  pathEnd: number;
  /** Byte ranges of trace_id and span_id; start -1 when the line has none. */
  traceStart: number;
  traceEnd: number;
  spanStart: number;
  spanEnd: number;
  /** Byte range of parent_span_id; start -1 when the line has none. */
  parentStart: number;
  parentEnd: number;
}

export class RawFactScanner {
  readonly fact: ScannedFact = {
    ts: 0,
    service: '',
    method: '',
    path: '',
    status_code: 0,
    latency_ms: 0,
    idStart: 0,
    idEnd: 0,
    serviceStart: 0,
    serviceEnd: 0,
    methodStart: 0,
    methodEnd: 0,
    pathStart: 0,
    pathEnd: 0,
    traceStart: -1,
    traceEnd: -1,
    spanStart: -1,
    spanEnd: -1,
    parentStart: -1,
    parentEnd: -1,
  };
  private readonly interned = new Map<number, { bytes: Uint8Array; value: string }[]>();
  private seen = 0;
  private valueStart = 0;
  private valueEnd = 0;
  private asciiOnly = true;

  /**
   * internStrings false: service, method and path are left as byte ranges (fact.service etc. stay ''), for a
   * caller that groups endpoints by their bytes (the scan worker) and would only throw the strings away.
   */
  constructor(private readonly internStrings = true) {}

  /** True when bytes [start, end) are a valid fact in compact form; `fact` then holds its fields. */
  scan(buf: Buffer, start: number, end: number): boolean {
    if (buf[start] !== openBrace || buf[end - 1] !== closeBrace) return false;
    this.seen = 0;
    this.fact.traceStart = -1;
    this.fact.spanStart = -1;
    this.fact.parentStart = -1;
    let at = this.readCanonical(buf, start, end - 1);
    if (at < 0) at = start + 1;
    else if (at < end - 1) at = at + 1 < end - 1 ? at + 1 : -1; // a comma: more members follow
    while (at > 0 && at < end - 1) at = this.readMember(buf, at, end - 1);
    return at === end - 1 && (this.seen & requiredKeys) === requiredKeys && this.valid();
  }

  /** The members in ingest's own layout, read in one pass; -1 (nothing read) for any other layout. */
  private readCanonical(buf: Buffer, start: number, limit: number): number {
    const fact = this.fact;
    const at = readCanonicalFactPrefix(buf, start, limit, fact);
    if (at < 0) return -1;
    if (this.internStrings) {
      fact.service = this.intern(buf, fact.serviceStart, fact.serviceEnd);
      fact.method = this.intern(buf, fact.methodStart, fact.methodEnd);
      fact.path = this.intern(buf, fact.pathStart, fact.pathEnd);
    }
    this.seen = 0b11111111;
    return at;
  }

  /** Reads `"key":value` and its trailing comma; returns where the next member starts, or -1. */
  private readMember(buf: Buffer, at: number, limit: number): number {
    if (buf[at] !== quote) return -1;
    const keyEnd = buf.indexOf(quote, at + 1);
    if (keyEnd < 0 || keyEnd >= limit || buf[keyEnd + 1] !== colon) return -1;
    const key = keyOf(buf, at + 1, keyEnd);
    const next = this.readValue(buf, keyEnd + 2, limit);
    if (next < 0 || key === Key.Unknown || !this.assign(buf, key)) return -1;
    if (buf[next] === comma) return next + 1 < limit ? next + 1 : -1;
    return next === limit ? next : -1;
  }

  /** Sets valueStart/valueEnd (inside the quotes for strings); returns the index after the value or -1. */
  private readValue(buf: Buffer, at: number, limit: number): number {
    if (buf[at] === quote) {
      this.asciiOnly = true;
      let i = at + 1;
      for (; i < limit; i++) {
        const c = buf[i]!;
        if (c === quote) break;
        if (c === backslash || c < 0x20) return -1;
        if (c >= 0x80) this.asciiOnly = false;
      }
      if (i >= limit) return -1;
      this.valueStart = at + 1;
      this.valueEnd = i;
      return i + 1;
    }
    let i = at;
    while (i < limit && buf[i] !== comma) i++;
    this.valueStart = at;
    this.valueEnd = i;
    return i > at ? i : -1;
  }

  private assign(buf: Buffer, key: Key): boolean {
    this.seen |= key >= Key.Ignored ? 0 : 1 << (key - 1);
    const isString = buf[this.valueStart - 1] === quote;
    if (key === Key.Ts || key === Key.StatusCode || key === Key.LatencyMs) {
      return !isString && this.assignNumber(buf, key);
    }
    return isString && this.assignString(buf, key);
  }

  private assignString(buf: Buffer, key: Key): boolean {
    const fact = this.fact;
    switch (key) {
      case Key.Kind:
        return sameBytes(buf, this.valueStart, this.valueEnd, factBytes);
      case Key.EventId:
        fact.idStart = this.valueStart;
        fact.idEnd = this.valueEnd;
        return this.asciiOnly && this.valueEnd > this.valueStart;
      case Key.Service:
        fact.serviceStart = this.valueStart;
        fact.serviceEnd = this.valueEnd;
        return this.internStrings
          ? (fact.service = this.intern(buf, this.valueStart, this.valueEnd)) !== ''
          : this.valueEnd > this.valueStart;
      case Key.Method:
        fact.methodStart = this.valueStart;
        fact.methodEnd = this.valueEnd;
        return this.internStrings
          ? (fact.method = this.intern(buf, this.valueStart, this.valueEnd)) !== ''
          : this.valueEnd > this.valueStart;
      case Key.Path:
        fact.pathStart = this.valueStart;
        fact.pathEnd = this.valueEnd;
        return this.internStrings
          ? (fact.path = this.intern(buf, this.valueStart, this.valueEnd)) !== ''
          : this.valueEnd > this.valueStart;
      default:
        return this.assignRange(key);
    }
  }

  /** Trace, span and parent span ids are kept as byte ranges; other known keys are ignored. */
  private assignRange(key: Key): boolean {
    const fact = this.fact;
    if (key === Key.TraceId) {
      fact.traceStart = this.valueStart;
      fact.traceEnd = this.valueEnd;
    } else if (key === Key.SpanId) {
      fact.spanStart = this.valueStart;
      fact.spanEnd = this.valueEnd;
    } else if (key === Key.ParentSpanId) {
      fact.parentStart = this.valueStart;
      fact.parentEnd = this.valueEnd;
    }
    return true;
  }

  private assignNumber(buf: Buffer, key: Key): boolean {
    const value = parseJsonNumber(buf, this.valueStart, this.valueEnd);
    if (Number.isNaN(value)) return false;
    if (key === Key.Ts) this.fact.ts = value;
    else if (key === Key.StatusCode) this.fact.status_code = value;
    else this.fact.latency_ms = value;
    return true;
  }

  private valid(): boolean {
    const { ts, status_code: status, latency_ms: latency } = this.fact;
    return Number.isFinite(ts) && status >= 100 && status <= 599 && latency >= 0 && latency !== Infinity;
  }

  /** Low-cardinality strings (service, method, path) become one shared string each. */
  private intern(buf: Buffer, start: number, end: number): string {
    if (end === start) return '';
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const bucket = this.interned.get(hash);
    const found = bucket?.find((entry) => sameBytes(buf, start, end, entry.bytes));
    if (found) return found.value;
    const entry = {
      bytes: Uint8Array.prototype.slice.call(buf, start, end),
      value: buf.toString('utf8', start, end),
    };
    if (bucket) bucket.push(entry);
    else this.interned.set(hash, [entry]);
    return entry.value;
  }
}
