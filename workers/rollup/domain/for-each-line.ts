const newline = 0x0a;

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
