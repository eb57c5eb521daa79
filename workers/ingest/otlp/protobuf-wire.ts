import protobuf from 'protobufjs';

/**
 * Thrown by the one-pass reader when the bytes are not plainly a message it reads exactly as protobufjs would:
 * truncated or overlong lengths, bad tags, groups, invalid UTF-8, varints in the encodings protobufjs treats
 * specially, nesting near the limits. The caller then decodes the body with protobufjs (the reference), which
 * names the error or gives the answer; so declining costs time, never a different answer (docs/adr/0118).
 */
export class WireDeclined extends Error {}

/** One instance: declining is control flow on hostile bytes, not an error worth a stack trace each time. */
export const declined = new WireDeclined('protobuf bytes left to the reference decoder');

/**
 * A cursor over one protobuf body with the reads protobufjs 8's Reader makes, each bounded by the end of the
 * message it is in (protobufjs narrows `len` to it) and accepting exactly what that read accepts, or declining.
 */
export class WireReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** The high 32 bits of the last varint read. */
  hi = 0;

  /**
   * A varint read as protobufjs's uint32/int32/int64 read it: with fewer than 5 bytes left before `end` at most 4
   * bytes, else at most 10. Returns the low 32 bits; `hi` keeps the high ones (int64).
   */
  varint(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    const near = end - pos < 5;
    let lo = 0;
    for (let i = 0; i < 4; i += 1) {
      if (pos >= end) throw declined;
      const b = buf[pos++]!;
      lo = (lo | ((b & 127) << (i * 7))) >>> 0;
      if (b < 128) {
        this.pos = pos;
        this.hi = 0;
        return lo;
      }
    }
    if (near) throw declined;
    const b4 = buf[pos++]!;
    lo = (lo | ((b4 & 127) << 28)) >>> 0;
    let hi = (b4 & 127) >> 4;
    if (b4 >= 128) {
      for (let i = 0; ; i += 1) {
        if (i === 5 || pos >= end) throw declined;
        const b = buf[pos++]!;
        hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
        if (b < 128) break;
      }
    }
    this.pos = pos;
    this.hi = hi;
    return lo;
  }

  /** protobufjs's bool(): up to 10 bytes anywhere, true when any carries a bit. */
  bool(end: number): boolean {
    let value = false;
    for (let i = 0; i < 10; i += 1) {
      if (this.pos >= end) throw declined;
      const b = this.buf[this.pos++]!;
      if (b & 127) value = true;
      if (b < 128) return value;
    }
    throw declined;
  }

  /** A tag of at most 4 bytes (field numbers below 2^25); longer ones are left to protobufjs. */
  tag(end: number): number {
    const buf = this.buf;
    let value = 0;
    for (let i = 0; i < 4; i += 1) {
      if (this.pos >= end) throw declined;
      const b = buf[this.pos++]!;
      value = (value | ((b & 127) << (i * 7))) >>> 0;
      if (b < 128) return value;
    }
    throw declined;
  }

  /** A length prefix of at most 4 bytes (under 256 MiB) whose bytes fit before `end`; returns where they end. */
  delimited(end: number): number {
    const length = this.tag(end);
    const stop = this.pos + length;
    if (stop > end) throw declined;
    return stop;
  }

  /** Skips a field protobufjs does not decode (unknown, or a known one with another wire type): its skipType. */
  skip(wireType: number, fieldNumber: number, end: number): void {
    if (fieldNumber === 0) throw declined;
    if (wireType === 0) {
      do {
        if (this.pos >= end) throw declined;
      } while (this.buf[this.pos++]! & 128);
    } else if (wireType === 1) this.fixed(8, end);
    else if (wireType === 2) this.pos = this.delimited(end);
    else if (wireType === 5) this.fixed(4, end);
    else throw declined; // groups (3, 4) and invalid wire types (6, 7)
  }

  /** Moves past `n` fixed bytes; returns where they start. */
  fixed(n: number, end: number): number {
    const at = this.pos;
    if (at + n > end) throw declined;
    this.pos = at + n;
    return at;
  }

  /** Checks a string field's bytes [start, stop) as protobufjs's stringVerify does (UTF-8, fatal). */
  checkUtf8(start: number, stop: number): void {
    const buf = this.buf;
    for (let i = start; i < stop; i += 1) {
      if (buf[i]! >= 128) {
        this.text(start, stop);
        return;
      }
    }
  }

  /** A checked string field's text, exactly as stringVerify returns it. */
  text(start: number, stop: number): string {
    try {
      return protobuf.util.utf8.readStrict(this.buf, start, stop);
    } catch {
      throw declined;
    }
  }
}

/** How one known field of a message is read, from the vendored schema (proto-schemas.ts). */
interface FieldRule {
  wireType: number;
  read: 'varint' | 'bool' | 'fixed32' | 'fixed64' | 'string' | 'bytes' | 'message' | 'packed';
  message?: MessageRule;
}

/** A message's known fields by number. */
export type MessageRule = Map<number, FieldRule>;

const scalarReads: Record<string, Pick<FieldRule, 'wireType' | 'read'>> = {
  string: { wireType: 2, read: 'string' },
  bytes: { wireType: 2, read: 'bytes' },
  bool: { wireType: 0, read: 'bool' },
  fixed32: { wireType: 5, read: 'fixed32' },
  sfixed32: { wireType: 5, read: 'fixed32' },
  float: { wireType: 5, read: 'fixed32' },
  fixed64: { wireType: 1, read: 'fixed64' },
  sfixed64: { wireType: 1, read: 'fixed64' },
  double: { wireType: 1, read: 'fixed64' },
};

const rules = new Map<protobuf.Type, MessageRule>();

/**
 * The rule of a message type, from its protobufjs reflection, so the one-pass reader validates the parts it skips
 * (scopes, events, links, nested attribute values) against the same schema protobufjs decodes them with.
 */
export function messageRule(type: protobuf.Type): MessageRule {
  const known = rules.get(type);
  if (known) return known;
  const rule: MessageRule = new Map();
  rules.set(type, rule);
  for (const field of type.fieldsArray) {
    field.resolve();
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      rule.set(field.id, { wireType: 2, read: 'message', message: messageRule(resolved) });
    } else if (field.repeated && scalarReads[field.type]?.read !== 'string' && field.type !== 'bytes') {
      // A packable repeated scalar: OTLP's trace messages have none; protobufjs's packed reads are its own.
      rule.set(field.id, { wireType: -1, read: 'packed' });
    } else {
      rule.set(field.id, scalarReads[field.type] ?? { wireType: 0, read: 'varint' });
    }
  }
  return rule;
}

/**
 * Reads one message's fields to `end` without keeping anything, declining where protobufjs would fail or where
 * nesting passes `maxDepth` (`depth` is this message's, the request's being 1).
 */
export function skipMessage(
  r: WireReader,
  end: number,
  rule: MessageRule,
  depth: number,
  maxDepth: number,
): void {
  if (depth > maxDepth) throw declined;
  while (r.pos < end) {
    const tag = r.tag(end);
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = rule.get(id);
    // A known field sent with another wire type is an unknown one to protobufjs; packed scalars are declined.
    if (field === undefined || (field.wireType !== wireType && field.read !== 'packed'))
      r.skip(wireType, id, end);
    else skipKnown(r, end, field, depth, maxDepth);
  }
}

function skipKnown(r: WireReader, end: number, field: FieldRule, depth: number, maxDepth: number): void {
  switch (field.read) {
    case 'varint':
      r.varint(end);
      return;
    case 'bool':
      r.bool(end);
      return;
    case 'fixed32':
      r.fixed(4, end);
      return;
    case 'fixed64':
      r.fixed(8, end);
      return;
    case 'string': {
      const stop = r.delimited(end);
      r.checkUtf8(r.pos, stop);
      r.pos = stop;
      return;
    }
    case 'bytes':
      r.pos = r.delimited(end);
      return;
    case 'message': {
      const stop = r.delimited(end);
      skipMessage(r, stop, field.message!, depth + 1, maxDepth);
      return;
    }
    default:
      throw declined;
  }
}
