import fc from 'fast-check';
import { checkText, codePointLength, decodeUtf8 } from './text-rule.js';

describe('checkText', () => {
  it.each(['checkout', '/api/v1/orders/:id', 'Ünïcødé 日本 🚀', ''])('accepts %j', (value) => {
    expect(checkText('service', value, 128)).toBeUndefined();
  });

  it.each([
    ['a\u0000b', 'service must not contain control characters (U+0000 at 1)'],
    ['\tx', 'service must not contain control characters (U+0009 at 0)'],
    ['x\u007f', 'service must not contain control characters (U+007F at 1)'],
    ['x\u0085', 'service must not contain control characters (U+0085 at 1)'],
    ['a\uD800b', 'service must be valid Unicode (it has a lone surrogate)'],
    ['\uDC00', 'service must be valid Unicode (it has a lone surrogate)'],
    ['x'.repeat(129), 'service must be at most 128 characters'],
  ])('rejects %j', (value, message) => {
    expect(checkText('service', value, 128)?.message).toBe(message);
  });
});

describe('lengths in code points (what JSON Schema maxLength counts)', () => {
  it('accepts 128 emoji (256 UTF-16 units) at a 128-character limit and refuses 129', () => {
    expect(checkText('service', '🚀'.repeat(128), 128)).toBeUndefined();
    expect(checkText('service', '🚀'.repeat(129), 128)?.message).toBe(
      'service must be at most 128 characters',
    );
  });

  it('counts a lone surrogate as one character, like a code point', () => {
    expect(codePointLength('a\uD800')).toBe(2);
    expect(codePointLength('\uDC00\uD800')).toBe(2);
  });

  it('equals the number of code points of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => expect(codePointLength(s)).toBe([...s].length)),
      { numRuns: 500 },
    );
  });
});

describe('decodeUtf8', () => {
  it('decodes valid UTF-8 and refuses invalid sequences', () => {
    expect(decodeUtf8(Buffer.from('Ü 🚀'))).toBe('Ü 🚀');
    expect(decodeUtf8(Uint8Array.of(0xc3, 0x28))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.of(0xff))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toBeUndefined();
  });
});
