/**
 * Byte strings compared four bytes at a time on the scan thread's hot path (the canonical fact prefix's separators,
 * the endpoint dictionary's keys): DataView reads, which V8 compiles to plain loads, unaligned ones included.
 * A constant separator gets a matcher compiled for it alone (compileLiteralMatcher).
 */
export interface WordBytes {
  bytes: Uint8Array;
  /** The bytes as little-endian 32-bit words; the tail after the last whole word is compared byte by byte. */
  words: Int32Array;
}

export function wordBytesOf(bytes: Uint8Array): WordBytes {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Int32Array.from({ length: bytes.length >> 2 }, (_, i) => view.getInt32(i * 4, true));
  return { bytes, words };
}

/** One view per buffer, kept for the next call on the same chunk (every line of a chunk reads through it). */
let viewed: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

export function viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
  if (buf !== viewed) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewed = buf;
  }
  return view;
}

/** Whether `expected` stands at `at` in `buf` (the caller has checked it fits). */
export function wordBytesAt(buf: Uint8Array, at: number, expected: WordBytes): boolean {
  const { bytes, words } = expected;
  const v = viewOf(buf);
  for (let i = 0; i < words.length; i++) if (v.getInt32(at + i * 4, true) !== words[i]) return false;
  for (let i = words.length * 4; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

/** Where a constant byte string ends when it stands at `at` (and fits before `limit`), else -1. */
export type LiteralMatcher = (
  buf: Uint8Array,
  view: DataView<ArrayBufferLike>,
  at: number,
  limit: number,
) => number;

/**
 * A matcher for one constant text, compiled once at start-up into straight-line comparisons against its words as
 * immediate values. wordBytesAt's loop over a word array, shared by every separator, was a quarter of the scan
 * thread (10M-line bench profile: `literal` + `wordBytesAt` 2.1 of 7.9 CPU-s); the compiled form takes about half
 * of that (1M raw lines through readCanonicalFactPrefix: 325 -> 230 ms; docs/adr/0140). The generated source holds
 * only numbers derived from `text`, a constant of the caller's code; no input byte ever reaches it.
 */
export function compileLiteralMatcher(text: string): LiteralMatcher {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length === 0) throw new RangeError('a literal matcher needs at least one byte');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const terms: string[] = [];
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4)
    terms.push(`view.getInt32(at + ${i}, true) === ${view.getInt32(i, true)}`);
  for (; i < bytes.length; i++) terms.push(`buf[at + ${i}] === ${bytes[i]!}`);
  const n = bytes.length;
  const body = `return at >= 0 && at + ${n} <= limit && ${terms.join(' && ')} ? at + ${n} : -1;`;
  return new Function('buf', 'view', 'at', 'limit', body) as LiteralMatcher;
}
