import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const newline = 0x0a;

/**
 * Yields the lines (a batch per inflated chunk: one await per line would dominate the cost) of a gzip'd JSON-lines object while it is being inflated, so memory holds one compressed
 * object plus one inflate chunk rather than the whole decompressed segment.
 */
export async function* readGzipLines(body: Uint8Array): AsyncGenerator<string[]> {
  const gunzip = Readable.from([body]).pipe(createGunzip({ chunkSize: 1 << 20 }));
  let carry: Buffer | undefined;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    const buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const lines: string[] = [];
    let start = 0;
    let end = buffer.indexOf(newline, start);
    while (end !== -1) {
      if (end > start) lines.push(buffer.toString('utf8', start, end));
      start = end + 1;
      end = buffer.indexOf(newline, start);
    }
    carry = start < buffer.length ? buffer.subarray(start) : undefined;
    yield lines;
  }
  if (carry && carry.length > 0) yield [carry.toString('utf8')];
}
