import fc from 'fast-check';
import { EndpointDictionary, type EndpointRanges } from './endpoint-dictionary.js';

/** Lays the triples out in one buffer at random offsets (unaligned word reads included) and returns their ranges. */
function layOut(triples: readonly [Uint8Array, Uint8Array, Uint8Array][], gaps: readonly number[]) {
  const parts: Uint8Array[] = [];
  const ranges: EndpointRanges[] = [];
  let at = 0;
  const put = (bytes: Uint8Array, gap: number) => {
    parts.push(new Uint8Array(gap).fill(0x22), bytes);
    const start = at + gap;
    at = start + bytes.length;
    return [start, at] as const;
  };
  triples.forEach(([service, method, path], i) => {
    const [serviceStart, serviceEnd] = put(service, gaps[(3 * i) % gaps.length]!);
    const [methodStart, methodEnd] = put(method, gaps[(3 * i + 1) % gaps.length]!);
    const [pathStart, pathEnd] = put(path, gaps[(3 * i + 2) % gaps.length]!);
    ranges.push({ serviceStart, serviceEnd, methodStart, methodEnd, pathStart, pathEnd });
  });
  return { buf: Buffer.concat(parts), ranges };
}

const key = (t: readonly Uint8Array[]) => t.map((b) => Buffer.from(b).toString('hex')).join('/');

describe('EndpointDictionary', () => {
  it('gives two lines one id exactly when their service, method and path bytes are equal, in first-seen order', () => {
    // Few distinct byte values and short fields, so equal fields, shared prefixes and moved boundaries are common.
    const field = fc
      .uint8Array({ minLength: 0, maxLength: 13 })
      .map((b) => b.map((x) => [0x61, 0x62, 0xc3, 0x2f][x % 4]!));
    const triple = fc.tuple(field, field, field);
    fc.assert(
      fc.property(
        fc.array(triple, { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 7 }),
        (distinct, gaps) => {
          // Each distinct triple again at a later position, so hits are checked as well as inserts.
          const triples = [...distinct, ...distinct.slice().reverse()];
          const { buf, ranges } = layOut(triples, gaps);
          const dictionary = new EndpointDictionary();
          const ids = ranges.map((r) => dictionary.idOf(buf, r));
          const firstSeen = new Map<string, number>();
          triples.forEach((t) => {
            if (!firstSeen.has(key(t))) firstSeen.set(key(t), firstSeen.size);
          });
          expect(ids).toEqual(triples.map((t) => firstSeen.get(key(t))));
          const decoded = [...firstSeen.keys()].map((k) =>
            k.split('/').map((hex) => Buffer.from(hex, 'hex').toString('utf8')),
          );
          expect(dictionary.list).toEqual(decoded);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps ("ab", "c", p) and ("a", "bc", p) apart: the field boundaries are part of the key', () => {
    const { buf, ranges } = layOut(
      [
        [Buffer.from('ab'), Buffer.from('c'), Buffer.from('/x')],
        [Buffer.from('a'), Buffer.from('bc'), Buffer.from('/x')],
      ],
      [1],
    );
    const dictionary = new EndpointDictionary();
    expect(ranges.map((r) => dictionary.idOf(buf, r))).toEqual([0, 1]);
  });
});
