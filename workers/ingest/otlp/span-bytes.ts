import type { AttributeValue } from './otlp-values.js';
import { clientSpanKeys } from './map-client-span.js';
import { serverSpanKeys } from './map-trace-request.js';
import { samplingKeys } from './sampling-weight.js';
import { resourceKeys as resourceAttributeKeys, type SpanReading } from './span-reading.js';

/**
 * The attribute keys the span-to-record rules read (map-trace-request.ts, map-client-span.ts, sampling-weight.ts)
 * and the resource keys (span-reading.ts). Other attributes are checked and skipped, never turned into strings.
 */
export const spanKeys: ReadonlySet<string> = new Set([...serverSpanKeys, ...clientSpanKeys, ...samplingKeys]);
export const resourceKeys: ReadonlySet<string> = new Set(resourceAttributeKeys);
export const keyLengths = new Set([...spanKeys, ...resourceKeys].map((key) => key.length));

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
