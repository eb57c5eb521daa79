/**
 * Readers of the OTLP values a span carries, for both encodings at once: a protobuf-decoded request (protobufjs:
 * ids as Buffers, 64-bit integers as Long, only fields present on the wire as own properties) and an OTLP/JSON
 * request (protobuf JSON mapping with OTLP's exceptions: ids as hex, 64-bit integers as decimal strings or
 * numbers, enums as integers). Every reader takes `unknown`, so untrusted JSON is checked by the same code that
 * reads decoded protobuf, and both give the same answer for the same span.
 */

/** An object's own property: protobufjs keeps defaults on the prototype, so an absent field reads undefined. */
export function own(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** A repeated field: absent is empty; anything else that is not an array is undefined (a malformed body). */
export function repeated(value: unknown, key: string): unknown[] | undefined {
  const field = own(value, key);
  if (field === undefined || field === null) return [];
  return Array.isArray(field) ? field : undefined;
}

interface LongLike {
  low: number;
  high: number;
}

function isLongLike(value: unknown): value is LongLike {
  return typeof value === 'object' && value !== null && typeof (value as LongLike).low === 'number';
}

const digits = /^\d{1,20}$/;
const maxUint64 = (1n << 64n) - 1n;

/**
 * An unsigned 64-bit integer (a fixed64 timestamp in nanoseconds) as a bigint: nanoseconds since 1970 pass 2^53,
 * so durations are taken exactly before they become milliseconds.
 */
export function readUint64(value: unknown): bigint | undefined {
  if (isLongLike(value)) return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  if (typeof value === 'string' && digits.test(value)) {
    const n = BigInt(value);
    return n <= maxUint64 ? n : undefined;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

/** A signed 64-bit attribute integer as a number (attribute values here are status codes and ratios). */
function readInt64(value: unknown): number | undefined {
  if (isLongLike(value)) return value.high * 4294967296 + (value.low >>> 0);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return undefined;
}

const hexPattern = /^[0-9a-fA-F]*$/;

/**
 * A trace or span id as lowercase hex: `bytes` bytes, not all zero (the spec's invalid id). Undefined for anything
 * else.
 */
export function readId(value: unknown, bytes: number): string | undefined {
  let hex: string | undefined;
  if (value instanceof Uint8Array) {
    if (value.length === bytes)
      hex = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  } else if (typeof value === 'string' && value.length === bytes * 2 && hexPattern.test(value)) {
    hex = value.toLowerCase();
  }
  return hex === undefined || /^0+$/.test(hex) ? undefined : hex;
}

/** A scalar attribute value: string, integer, double or boolean; arrays, maps and bytes read as undefined. */
export type AttributeValue = string | number | boolean;

function readAnyValue(value: unknown): AttributeValue | undefined {
  const text = own(value, 'stringValue');
  if (typeof text === 'string') return text;
  const int = own(value, 'intValue');
  if (int !== undefined) return readInt64(int);
  const double = own(value, 'doubleValue');
  if (typeof double === 'number') return double;
  // OTLP/JSON may spell non-finite doubles as strings ("NaN", "Infinity"); none is a status code or ratio.
  const bool = own(value, 'boolValue');
  if (typeof bool === 'boolean') return bool;
  return undefined;
}

/** The value of the first attribute named `key` in a KeyValue list, when it is a scalar. */
export function attribute(attributes: readonly unknown[], key: string): AttributeValue | undefined {
  for (const kv of attributes) {
    if (own(kv, 'key') === key) return readAnyValue(own(kv, 'value'));
  }
  return undefined;
}

/**
 * What `attribute` answers for one span, by key: the decoded KeyValue list's scan, or the values the protobuf
 * scanner (scan-trace-request.ts) kept for the keys the mapping reads. The rules below read either alike.
 */
export type AttributeLookup = (key: string) => AttributeValue | undefined;

/** A KeyValue list (decoded protobuf or OTLP/JSON) or a lookup that answers as `attribute` over one. */
export type AttributeSource = readonly unknown[] | AttributeLookup;

function valueOf(attributes: AttributeSource, key: string): AttributeValue | undefined {
  return typeof attributes === 'function' ? attributes(key) : attribute(attributes, key);
}

/** The first of `keys` present as a string attribute, and which key it was. */
export function firstString(
  attributes: AttributeSource,
  keys: readonly string[],
): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = valueOf(attributes, key);
    if (typeof value === 'string') return { key, value };
  }
  return undefined;
}

/** The first of `keys` present as an integer attribute (or an integer spelled as a string), and which key. */
export function firstInteger(
  attributes: AttributeSource,
  keys: readonly string[],
): { key: string; value: number } | undefined {
  for (const key of keys) {
    const value = valueOf(attributes, key);
    if (typeof value === 'number' && Number.isInteger(value)) return { key, value };
    if (typeof value === 'string' && /^\d{1,9}$/.test(value)) return { key, value: Number(value) };
  }
  return undefined;
}

/** The span kinds by their OTLP enum number; OTLP/JSON sends integers, protobuf JSON parsers also accept names. */
export const spanKind = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
} as const;

const kindNames: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

export function readSpanKind(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return kindNames[value] ?? 0;
  return 0;
}

/** Status code 2 is STATUS_CODE_ERROR (also accepted by name). */
export function isErrorStatus(status: unknown): boolean {
  const code = own(status, 'code');
  return code === 2 || code === 'STATUS_CODE_ERROR';
}
