import fc from 'fast-check';
import { compileLiteralMatcher, viewOf, wordBytesAt, wordBytesOf } from './word-bytes.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** What a literal matcher must answer, written the slow and obvious way. */
function expectedEnd(buf: Uint8Array, literal: Uint8Array, at: number, limit: number): number {
  if (at < 0 || at + literal.length > limit) return -1;
  for (let i = 0; i < literal.length; i++) if (buf[at + i] !== literal[i]) return -1;
  return at + literal.length;
}

/** A buffer holding the literal at `at`, seen through a subarray whose offset is odd (unaligned words). */
function placed(literal: Uint8Array, before: Uint8Array, after: Uint8Array): Uint8Array {
  const backing = new Uint8Array(1 + before.length + literal.length + after.length);
  const buf = backing.subarray(1);
  buf.set(before, 0);
  buf.set(literal, before.length);
  buf.set(after, before.length + literal.length);
  return buf;
}

const literalText = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 });
const padding = fc.uint8Array({ maxLength: 9 });

describe('compileLiteralMatcher', () => {
  it('finds the literal exactly where it stands, at every length and alignment', () => {
    fc.assert(
      fc.property(literalText, padding, padding, (text, before, after) => {
        const literal = encode(text);
        const buf = placed(literal, before, after);
        const match = compileLiteralMatcher(text);
        expect(match(buf, viewOf(buf), before.length, buf.length)).toBe(before.length + literal.length);
        // The same literal ending past the limit does not fit.
        const short = before.length + literal.length - 1;
        expect(match(buf, viewOf(buf), before.length, short)).toBe(-1);
        expect(match(buf, viewOf(buf), -1, buf.length)).toBe(-1);
      }),
    );
  });

  it('refuses the literal with any one byte changed, in a word or in the tail', () => {
    fc.assert(
      fc.property(
        literalText,
        padding,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (text, before, pos, delta) => {
          const literal = encode(text);
          const buf = placed(literal, before, new Uint8Array(3));
          const at = before.length + (pos % literal.length);
          buf[at] = (buf[at]! + delta) & 0xff;
          const match = compileLiteralMatcher(text);
          expect(match(buf, viewOf(buf), before.length, buf.length)).toBe(-1);
        },
      ),
    );
  });

  it('answers as the byte-by-byte comparison at every start in arbitrary bytes', () => {
    fc.assert(
      fc.property(literalText, fc.uint8Array({ maxLength: 40 }), (text, buf) => {
        const literal = encode(text);
        const match = compileLiteralMatcher(text);
        for (let at = -1; at <= buf.length; at++) {
          expect(match(buf, viewOf(buf), at, buf.length)).toBe(expectedEnd(buf, literal, at, buf.length));
        }
      }),
    );
  });

  it('agrees with wordBytesAt, the comparison it replaces for constant separators', () => {
    const separator = '","status_code":';
    const buf = encode(`{"path":"/a","status_code":200}`);
    const at = buf.indexOf(0x22, 10);
    const compiled = compileLiteralMatcher(separator)(buf, viewOf(buf), at, buf.length) >= 0;
    expect(compiled).toBe(true);
    expect(wordBytesAt(buf, at, wordBytesOf(encode(separator)))).toBe(compiled);
  });

  it('refuses an empty literal: a matcher that matches nothing would accept every line', () => {
    expect(() => compileLiteralMatcher('')).toThrow(RangeError);
  });
});
