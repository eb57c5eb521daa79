import protobuf from 'protobufjs';

interface OpenMessage {
  type: protobuf.Type;
  end: number;
}

/** Thrown inside the walk: the bytes are not a valid message (the decoder names the error later). */
class NotAMessage extends Error {}

/**
 * Reads one field of the innermost open message: skips a scalar, or opens an embedded message. Returns whether
 * opening it went past maxDepth.
 */
function readField(reader: protobuf.Reader, stack: OpenMessage[], maxDepth: number): boolean {
  const top = stack[stack.length - 1]!;
  const tag = reader.uint32();
  const wireType = tag & 7;
  const message = top.type.fieldsById[tag >>> 3]?.resolvedType;
  if (wireType !== 2 || !(message instanceof protobuf.Type)) {
    reader.skipType(wireType);
    return false;
  }
  const end = reader.uint32() + reader.pos;
  if (end > top.end) throw new NotAMessage();
  if (stack.length >= maxDepth) return true;
  stack.push({ type: message, end });
  return false;
}

/**
 * Whether a protobuf body nests embedded messages deeper than `maxDepth` (the top message is depth 1), read
 * against its schema without decoding it. OTLP's AnyValue nests through array and kvlist values without end;
 * protobufjs decodes recursively and stops only at its own recursion limit with 'max depth exceeded', so the
 * configured limit (GRAVIX_MAX_JSON_DEPTH, as for OTLP/JSON) is checked here first. The walk is iterative, one
 * frame per open message: any depth costs one pass over the bytes. Bytes that are not a valid message answer
 * false: the decoder then names the error.
 */
export function exceedsMessageDepth(body: Uint8Array, type: protobuf.Type, maxDepth: number): boolean {
  const stack: OpenMessage[] = [{ type, end: body.length }];
  const reader = protobuf.Reader.create(body);
  try {
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (reader.pos > top.end) throw new NotAMessage();
      if (reader.pos === top.end) stack.pop();
      else if (readField(reader, stack, maxDepth)) return true;
    }
    return false;
  } catch {
    // NotAMessage, or the reader's RangeError past the end / on an unknown wire type.
    return false;
  }
}
