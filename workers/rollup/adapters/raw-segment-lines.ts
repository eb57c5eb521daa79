import { Readable, type TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';

const newline = 0x0a;

/**
 * Longest raw line the rollup reads. Ingest accepts bodies up to GRAVIX_MAX_BODY_BYTES (10 MiB by default) and
 * writes one line per record, so a longer line was never written by ingest; without a bound one such line (a 1 GiB
 * run of bytes compresses to ~1 MiB) would be carried and re-concatenated until the process runs out of memory.
 */
export const maxRawLineBytes = 16 * 1024 * 1024;

const inflateChunkBytes = 1 << 20;

/**
 * How far zlib (on libuv's thread pool) may inflate ahead of a scan thread (scan-segment.ts). With the stream's
 * default (16 KiB) the next 1 MiB chunk is inflated only once the previous one was taken, so the scan thread waited
 * for every inflate and restarted zlib from its own thread (~7% of its samples were in zlib's _read at 10M lines,
 * docs/adr/0116); four chunks ahead keep both busy for 3 MiB more per segment read. The in-thread path keeps the
 * default: it is what `gravix dev` runs, where memory, not speed, is the bound.
 */
export const scanThreadInflateAheadBytes = 4 * inflateChunkBytes;

/** The segment's bytes are not a complete gzip stream (corrupt, truncated, not gzip at all). */
export class RawSegmentUnreadableError extends Error {
  readonly code = 'RAW_SEGMENT_UNREADABLE';
}

/** A line of the segment is longer than maxRawLineBytes. */
export class RawLineTooLongError extends Error {
  readonly code = 'RAW_LINE_TOO_LONG';
}

/**
 * Inflates a gzip'd JSON-lines object as a stream and yields buffers that each hold whole lines only (a line
 * split across inflate chunks is carried into the next one). Memory holds one compressed object plus about
 * one chunk (`inflateAheadBytes` more when given), never the whole decompressed segment; callers scan the bytes
 * without making a string per line. `key` only names the segment in errors.
 */
export async function* readGzipLineChunks(
  body: Uint8Array,
  key = 'segment',
  maxLineBytes = maxRawLineBytes,
  inflateAheadBytes?: number,
): AsyncGenerator<Buffer> {
  const source = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // zlib passes stream options on to its Transform; node's typings list only the zlib ones.
  const options: ZlibOptions & TransformOptions = { chunkSize: inflateChunkBytes };
  if (inflateAheadBytes !== undefined) options.readableHighWaterMark = inflateAheadBytes;
  const gunzip = Readable.from([source], { objectMode: false }).pipe(createGunzip(options));
  const lines = new LineSplitter(key, maxLineBytes);
  try {
    for await (const chunk of inflated(gunzip, key)) yield* lines.push(chunk);
  } finally {
    gunzip.destroy();
  }
  const rest = lines.rest();
  if (rest) yield rest;
}

/** Cuts inflated chunks into buffers of whole lines, carrying a line split across two chunks into the next. */
class LineSplitter {
  private carry: Buffer | undefined;

  constructor(
    private readonly key: string,
    private readonly maxLineBytes: number,
  ) {}

  /**
   * The whole lines `chunk` completes: the carried line joined with its end, then the rest of the chunk in place.
   * Only that one line is copied (a few hundred bytes), not the whole 1 MiB chunk: copying every chunk once
   * more cost the scan thread ~5% of its time.
   */
  *push(chunk: Buffer): Generator<Buffer> {
    let from = 0;
    if (this.carry) {
      const first = chunk.indexOf(newline);
      const joined = Buffer.concat([this.carry, first < 0 ? chunk : chunk.subarray(0, first + 1)]);
      if (first < 0) return this.keep(joined);
      this.carry = undefined;
      yield joined;
      from = first + 1;
    }
    const last = chunk.lastIndexOf(newline);
    if (last >= from) yield chunk.subarray(from, last + 1);
    this.keep(last + 1 < chunk.length ? chunk.subarray(Math.max(from, last + 1)) : undefined);
  }

  private keep(rest: Buffer | undefined): void {
    if (rest && rest.length > this.maxLineBytes) throw tooLong(this.key, this.maxLineBytes);
    this.carry = rest;
  }

  /** What is left after the last chunk: a last line without a newline. */
  rest(): Buffer | undefined {
    return this.carry && this.carry.length > 0 ? this.carry : undefined;
  }
}

/** The inflated chunks; any zlib failure becomes RAW_SEGMENT_UNREADABLE naming the segment. */
async function* inflated(gunzip: AsyncIterable<Buffer>, key: string): AsyncGenerator<Buffer> {
  try {
    yield* gunzip;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    throw new RawSegmentUnreadableError(
      `raw segment '${key}' cannot be inflated (${code ?? 'error'}: ${message ?? String(error)}); it is corrupt or truncated`,
      { cause: error },
    );
  }
}

function tooLong(key: string, maxLineBytes: number): RawLineTooLongError {
  return new RawLineTooLongError(
    `raw segment '${key}' has a line longer than ${maxLineBytes} bytes (ingest never writes one): not read`,
  );
}
