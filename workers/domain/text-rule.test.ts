import fc from 'fast-check';
import { findFormatCharacter, revealFormatCharacters } from './format-characters.js';
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

describe('invisible format characters (Unicode category Cf)', () => {
  const spoofs: [string, string][] = [
    ['U+202A', 'a\u202Ab'],
    ['U+202B', 'a\u202Bb'],
    ['U+202C', 'a\u202Cb'],
    ['U+202D', 'a\u202Db'],
    ['U+202E', 'a\u202Eb'],
    ['U+2066', 'a\u2066b'],
    ['U+2067', 'a\u2067b'],
    ['U+2068', 'a\u2068b'],
    ['U+2069', 'a\u2069b'],
    ['U+200B', 'a\u200Bb'],
    ['U+200C', 'a\u200Cb'],
    ['U+200D', 'a\u200Db'],
    ['U+200E', 'a\u200Eb'],
    ['U+200F', 'a\u200Fb'],
    ['U+FEFF', 'a\uFEFFb'],
    ['U+00AD', 'a\u00ADb'],
    ['U+2060', 'a\u2060b'],
    ['U+061C', 'a\u061Cb'],
    ['U+E0041', 'a\u{E0041}b'],
  ];

  it.each(spoofs)('refuses %s, naming the field, the code point and where it is', (cp, value) => {
    expect(checkText('path', value, 128)).toEqual({
      rule: 'format',
      message: `path must not contain invisible format characters (${cp} at 1)`,
    });
  });

  it('refuses a right-to-left override that makes a name read as another', () => {
    expect(checkText('service', 'checkout\u202Etuokcehc', 128)?.message).toBe(
      'service must not contain invisible format characters (U+202E at 8)',
    );
  });

  it.each(['👩‍💻', '👨‍👩‍👧', '🏳️‍🌈', 'team 🧑🏽‍🚀', 'नमस्ते', 'عربي', 'שלום'])(
    'accepts %j (a joiner inside an emoji, right-to-left scripts without overrides)',
    (value) => {
      expect(checkText('service', value, 128)).toBeUndefined();
    },
  );

  it.each([
    ['می\u200cخواهم', 'Persian: a non-joiner between two joining letters'],
    ['\u0915\u094d\u200d\u0937', 'Devanagari: a joiner after a virama (half form)'],
    ['\u0d28\u0d4d\u200d', 'Malayalam: a joiner after a virama (chillu)'],
  ])('accepts %j (%s, UAX #31 A1, A2, B)', (value) => {
    expect(checkText('service', value, 128)).toBeUndefined();
  });

  it.each([
    ['check\u200cout', 5],
    ['\u0627\u200c\u0628', 1],
    ['\u094d\u200c', 1],
  ])('refuses a non-joiner outside those contexts in %j', (value, index) => {
    expect(checkText('service', value, 128)?.message).toBe(
      `service must not contain invisible format characters (U+200C at ${index})`,
    );
  });

  it('refuses a joiner that follows an emoji but precedes a letter', () => {
    expect(checkText('service', '🚀\u200Dx', 128)?.message).toBe(
      'service must not contain invisible format characters (U+200D at 2)',
    );
  });

  /** The rule spelt code point by code point, to hold the regular expression to. */
  function hasRefusedFormat(value: string): boolean {
    const chars = [...value];
    return chars.some((c, i) => {
      if (!/\p{Cf}/u.test(c)) return false;
      if (c !== '\u200D') return true;
      const before = chars[i - 1] ?? '';
      const emojiBefore =
        /\p{Extended_Pictographic}/u.test(before) ||
        (/^(?:[\u{1F3FB}-\u{1F3FF}]|\uFE0F)$/u.test(before) &&
          /\p{Extended_Pictographic}/u.test(chars[i - 2] ?? ''));
      return !(emojiBefore && /\p{Extended_Pictographic}/u.test(chars[i + 1] ?? ''));
    });
  }

  it('refuses exactly the strings with a Cf character outside an emoji sequence', () => {
    const alphabet = [
      'a',
      'é',
      '\u200D',
      '\u200B',
      '\u202E',
      '\uFEFF',
      '🚀',
      '👩',
      '\u{1F3FD}',
      '\uFE0F',
      '日',
      '\u{E0020}',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }), (parts) => {
        const value = parts.join('');
        expect(checkText('service', value, 128)?.rule === 'format').toBe(hasRefusedFormat(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('revealFormatCharacters', () => {
  it('writes out exactly the characters the rule refuses, and nothing else', () => {
    expect(revealFormatCharacters('a\u202Eb\u200B\u{E0041}')).toBe('a⟨U+202E⟩b⟨U+200B⟩⟨U+E0041⟩');
    expect(revealFormatCharacters('team 🧑🏽‍🚀 é')).toBe('team 🧑🏽‍🚀 é');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (value) => {
        const revealed = revealFormatCharacters(value);
        expect(checkText('x', revealed, 1000)?.rule).not.toBe('format');
        expect(revealed === value).toBe(findFormatCharacter(value) === undefined);
      }),
      { numRuns: 1000 },
    );
  });
});
