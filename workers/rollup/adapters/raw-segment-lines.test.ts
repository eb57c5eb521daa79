import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { RawLineTooLongError, readGzipLineChunks } from './raw-segment-lines.js';

async function chunksOf(text: string, maxLineBytes?: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of readGzipLineChunks(gzipSync(text, { level: 1 }), 'seg', maxLineBytes)) {
    chunks.push(Buffer.from(chunk));
  }
  return chunks;
}

describe('readGzipLineChunks', () => {
  it('yields whole lines only, the same bytes in the same order, across 1 MiB inflate chunks', async () => {
    // Line lengths from 0 bytes to past two inflate chunks, so lines split at every kind of place.
    const length = fc.oneof(fc.nat(300), fc.integer({ min: 1_000, max: 400_000 }), fc.constant(2_500_000));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(length, fc.nat(25)), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (lines, trailingNewline) => {
          const text =
            lines.map(([n, c]) => String.fromCharCode(97 + c).repeat(n)).join('\n') +
            (trailingNewline ? '\n' : '');
          const chunks = await chunksOf(text);
          expect(Buffer.concat(chunks).toString()).toBe(text);
          chunks.slice(0, -1).forEach((c) => expect(c.at(-1)).toBe(0x0a));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('refuses a line longer than maxLineBytes instead of carrying it on', async () => {
    const text = `short\n${'x'.repeat(3_000_000)}\nshort\n`;
    await expect(chunksOf(text, 2_000_000)).rejects.toThrow(RawLineTooLongError);
    await expect(chunksOf(text, 2_000_000)).rejects.toThrow(
      "raw segment 'seg' has a line longer than 2000000 bytes (ingest never writes one): not read",
    );
  });
});
