/** Copies of at most this many bytes run as a loop: a native copy call costs more than a field's few bytes. */
const loopCopyMaxBytes = 64;

/**
 * A byte buffer being filled, grown (by copy) when what comes next might not fit. Shared by the WAL frame
 * encoders and the segment packer, which all build their output as bytes rather than as joined strings.
 */
export class ByteSink {
  bytes: Buffer;
  /** Bytes written so far; a writer may step back (to drop a separator it wrote). */
  length: number;

  /** `start` bytes at the front are left for the caller (a frame header) and count as written. */
  constructor(capacity: number, start = 0) {
    this.bytes = Buffer.allocUnsafe(Math.max(capacity, start));
    this.length = start;
  }

  /** Makes room for `extra` more bytes; copy() and byte() rely on a reservation made before them. */
  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  /** Appends source[start, end); the room must have been reserved. */
  copy(source: Uint8Array, start: number, end: number): void {
    if (end - start > loopCopyMaxBytes) {
      this.bytes.set(source.subarray(start, end), this.length);
      this.length += end - start;
      return;
    }
    const { bytes } = this;
    let to = this.length;
    for (let k = start; k < end; k++) bytes[to++] = source[k]!;
    this.length = to;
  }

  /** Appends all of piece; the room must have been reserved. */
  append(piece: Uint8Array): void {
    this.copy(piece, 0, piece.length);
  }

  /** Appends one byte; the room must have been reserved. */
  byte(value: number): void {
    this.bytes[this.length++] = value;
  }

  /** Appends text as UTF-8, reserving room for it first. */
  text(text: string): void {
    // At most 3 UTF-8 bytes per UTF-16 unit.
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  contents(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}
