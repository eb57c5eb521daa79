import type { AttributeValue } from './otlp-values.js';
import { clientSpanKeys } from './map-client-span.js';
import { serverSpanKeys } from './map-trace-request.js';
import { samplingKeys } from './sampling-weight.js';
import { resourceKeys as resourceAttributeKeys, type SpanReading } from './span-reading.js';

/** A rule module lists a kept key the byte matcher cannot hold (a programming error, thrown at load). */
export class KeptKeyError extends Error {
  readonly code = 'KEPT_KEY_NOT_ASCII';
  constructor(key: string) {
    super(`kept attribute key ${JSON.stringify(key)} must be printable ASCII`);
  }
}

/**
 * A set of ASCII keys matched against a KeyValue's key bytes where they lie: a key is never decoded, kept or
 * not, and a kept one is the rule module's own string (docs/adr/0135). For ASCII keys, equal bytes are equal
 * strings; a key with other characters takes other bytes (and its UTF-8 was checked before), so it matches none.
 */
export class KeyMatcher {
  /** Candidates by byte length. */
  private readonly byLength: { key: string; bytes: Buffer }[][] = [];

  constructor(keys: Iterable<string>) {
    for (const key of new Set(keys)) {
      if (!/^[\x20-\x7e]+$/.test(key)) throw new KeptKeyError(key);
      (this.byLength[key.length] ??= []).push({ key, bytes: Buffer.from(key, 'latin1') });
    }
  }

  /** The kept key whose bytes are `buf[start, end)`, or undefined. */
  match(buf: Buffer, start: number, end: number): string | undefined {
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return undefined;
    for (const { key, bytes } of candidates) {
      let i = 0;
      while (i < bytes.length && buf[start + i] === bytes[i]) i += 1;
      if (i === bytes.length) return key;
    }
    return undefined;
  }
}

/**
 * The attribute keys the span-to-record rules read (map-trace-request.ts, map-client-span.ts, sampling-weight.ts)
 * and the resource keys (span-reading.ts). Other attributes are checked and skipped, never turned into strings.
 */
export const spanKeys = new KeyMatcher([...serverSpanKeys, ...clientSpanKeys, ...samplingKeys]);
export const resourceKeys = new KeyMatcher(resourceAttributeKeys);

/** The first value of each kept key (later duplicates ignored, as `attribute` reads a list). */
export type KeptAttributes = Map<string, AttributeValue | undefined>;

export const lookupIn = (kept: KeptAttributes | undefined) => (key: string) => kept?.get(key);

/** Where a span's byte fields, times and kept attributes lie; turned into a SpanReading only for record kinds. */
export class SpanBytes {
  /** Start and end of fields 1-5 (trace id, span id, trace state, parent span id, name), the last one sent. */
  readonly ranges = [-1, -1, -1, -1, -1, -1];
  readonly rangeEnds = [-1, -1, -1, -1, -1, -1];
  kind = 0;
  /** Offsets of the start and end times' 8 bytes, the last sent. */
  readonly times = [-1, -1];
  errorStatus = false;
  kept: KeptAttributes | undefined;

  /** Ready for the next span: the scanner keeps one SpanBytes rather than allocating one per span. */
  reset(): void {
    this.ranges.fill(-1);
    this.rangeEnds.fill(-1);
    this.kind = 0;
    this.times[0] = -1;
    this.times[1] = -1;
    this.errorStatus = false;
    this.kept = undefined;
  }

  reading(buf: Buffer): SpanReading {
    return {
      kind: this.kind,
      traceId: this.id(buf, 1, 16),
      spanId: this.id(buf, 2, 8),
      parentSpanId: this.id(buf, 4, 8),
      traceState: this.ranges[3]! < 0 ? '' : buf.toString('utf8', this.ranges[3], this.rangeEnds[3]),
      start: time(buf, this.times[0]!),
      end: time(buf, this.times[1]!),
      errorStatus: this.errorStatus,
      attribute: lookupIn(this.kept),
    };
  }

  /** As readId: lowercase hex of exactly `bytes` bytes, not all zero. */
  private id(buf: Buffer, field: number, bytes: number): string | undefined {
    const start = this.ranges[field]!;
    const end = this.rangeEnds[field]!;
    if (end - start !== bytes) return undefined;
    for (let i = start; i < end; i += 1) if (buf[i] !== 0) return buf.toString('hex', start, end);
    return undefined;
  }
}

/** A fixed64 time; protobufjs drops a zero (proto3's default) so it reads as absent. */
function time(buf: Buffer, at: number): bigint | undefined {
  if (at < 0) return undefined;
  const value = buf.readBigUInt64LE(at);
  return value === 0n ? undefined : value;
}
