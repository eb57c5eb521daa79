/**
 * Byte strings compared four bytes at a time on the scan thread's hot path (the canonical fact prefix's separators,
 * the endpoint dictionary's keys): DataView reads, which V8 compiles to plain loads, unaligned ones included.
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
