import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const newline = 0x0a;

/**
 * Inflates a gzip'd JSON-lines object as a stream and yields buffers that each hold whole lines only (a line
 * split across inflate chunks is carried into the next one). Memory holds one compressed object plus about
 * one chunk, never the whole decompressed segment; callers scan the bytes without making a string per line.
 */
export async function* readGzipLineChunks(body: Uint8Array): AsyncGenerator<Buffer> {
  const source = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const gunzip = Readable.from([source], { objectMode: false }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  let carry: Buffer | undefined;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const last = buffer.lastIndexOf(newline);
    if (last < 0) {
      carry = buffer;
      continue;
    }
    carry = last + 1 < buffer.length ? buffer.subarray(last + 1) : undefined;
    yield buffer.subarray(0, last + 1);
  }
  if (carry && carry.length > 0) yield carry;
}

/** Calls onLine(start, end) for each non-empty line of a chunk from readGzipLineChunks. */
export function forEachLine(chunk: Buffer, onLine: (start: number, end: number) => void): void {
  let start = 0;
  while (start < chunk.length) {
    let end = chunk.indexOf(newline, start);
    if (end < 0) end = chunk.length;
    if (end > start) onLine(start, end);
    start = end + 1;
  }
}
