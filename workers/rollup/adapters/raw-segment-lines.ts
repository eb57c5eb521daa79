import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const newline = 0x0a;

/**
 * Longest raw line the rollup reads. Ingest accepts bodies up to GRAVIX_MAX_BODY_BYTES (10 MiB by default) and
 * writes one line per record, so a longer line was never written by ingest; without a bound one such line (a 1 GiB
 * run of bytes compresses to ~1 MiB) would be carried and re-concatenated until the process runs out of memory.
 */
export const maxRawLineBytes = 16 * 1024 * 1024;

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
 * one chunk, never the whole decompressed segment; callers scan the bytes without making a string per line.
 * `key` only names the segment in errors.
 */
export async function* readGzipLineChunks(
  body: Uint8Array,
  key = 'segment',
  maxLineBytes = maxRawLineBytes,
): AsyncGenerator<Buffer> {
  const source = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const gunzip = Readable.from([source], { objectMode: false }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  let carry: Buffer | undefined;
  try {
    for await (const chunk of inflated(gunzip, key)) {
      const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const last = buffer.lastIndexOf(newline);
      carry = last < 0 ? buffer : last + 1 < buffer.length ? buffer.subarray(last + 1) : undefined;
      if (carry && carry.length > maxLineBytes) throw tooLong(key, maxLineBytes);
      if (last >= 0) yield buffer.subarray(0, last + 1);
    }
  } finally {
    gunzip.destroy();
  }
  if (carry && carry.length > 0) yield carry;
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
