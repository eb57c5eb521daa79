import type { CanonicalFactPrefix } from './canonical-fact-prefix.js';
import { viewOf, wordBytesAt, wordBytesOf, type WordBytes } from './word-bytes.js';

/** The byte ranges the dictionary reads, as the fact scanners fill them. */
export type EndpointRanges = Pick<
  CanonicalFactPrefix,
  'serviceStart' | 'serviceEnd' | 'methodStart' | 'methodEnd' | 'pathStart' | 'pathEnd'
>;

interface Entry {
  id: number;
  service: WordBytes;
  method: WordBytes;
  path: WordBytes;
}

const fnvPrime = 0x01000193;

function hashRange(view: DataView, buf: Uint8Array, start: number, end: number, hash: number): number {
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), fnvPrime);
  for (; i < end; i++) hash = Math.imul(hash ^ buf[i]!, fnvPrime);
  // The field's length ends it, so ("ab", "c") and ("a", "bc") hash apart.
  return Math.imul(hash ^ (end - start) ^ 0x100, fnvPrime);
}

function sameRange(buf: Uint8Array, start: number, end: number, field: WordBytes): boolean {
  return end - start === field.bytes.length && wordBytesAt(buf, start, field);
}

/**
 * One raw segment's endpoint dictionary (scan-segment.ts): (service, method, path) byte ranges of a line -> a small
 * id, in order of first appearance, so the scan thread hands the aggregating thread one number per fact instead of
 * three strings. Keyed by the bytes: two byte forms that decode to the same text (invalid UTF-8) get two ids with
 * equal strings, and the main thread maps both to the same row.
 *
 * The bytes are hashed and compared four at a time (word-bytes.ts): byte by byte this was 15% of the scan thread's
 * CPU at 10M lines, the rollup's critical path on two cores (issue #18). The hash only picks a bucket; every hit is confirmed by comparing the bytes.
 */
export class EndpointDictionary {
  private readonly byHash = new Map<number, Entry[]>();
  /** The decoded (service, method, path) of each id, in id order. */
  readonly list: [string, string, string][] = [];

  idOf(buf: Buffer, f: EndpointRanges): number {
    const view = viewOf(buf);
    let hash = hashRange(view, buf, f.serviceStart, f.serviceEnd, 0x811c9dc5);
    hash = hashRange(view, buf, f.methodStart, f.methodEnd, hash);
    hash = hashRange(view, buf, f.pathStart, f.pathEnd, hash);
    // Multiplication carries bits upwards only: fold the high half down before the hash picks a bucket.
    hash ^= hash >>> 15;
    const bucket = this.byHash.get(hash);
    if (bucket !== undefined) {
      for (const e of bucket) {
        if (
          sameRange(buf, f.serviceStart, f.serviceEnd, e.service) &&
          sameRange(buf, f.methodStart, f.methodEnd, e.method) &&
          sameRange(buf, f.pathStart, f.pathEnd, e.path)
        )
          return e.id;
      }
    }
    return this.insert(buf, f, hash, bucket);
  }

  private insert(buf: Buffer, f: EndpointRanges, hash: number, bucket: Entry[] | undefined): number {
    const copy = (start: number, end: number) =>
      wordBytesOf(Uint8Array.prototype.slice.call(buf, start, end));
    const entry = {
      id: this.list.length,
      service: copy(f.serviceStart, f.serviceEnd),
      method: copy(f.methodStart, f.methodEnd),
      path: copy(f.pathStart, f.pathEnd),
    };
    const text = (start: number, end: number) => buf.toString('utf8', start, end);
    this.list.push([
      text(f.serviceStart, f.serviceEnd),
      text(f.methodStart, f.methodEnd),
      text(f.pathStart, f.pathEnd),
    ]);
    if (bucket) bucket.push(entry);
    else this.byHash.set(hash, [entry]);
    return entry.id;
  }
}
