import fc from 'fast-check';
import { parseJsonNumber } from './simple-json-number.js';

/** What the authoritative path (parseRawLine's JSON.parse) makes of the text: its number, else NaN. */
function jsonParseNumber(text: string): number {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'number' && text.trim() === text ? value : NaN;
  } catch {
    return NaN;
  }
}

function parse(text: string): number {
  const bytes = Buffer.from(`,${text},`);
  return parseJsonNumber(bytes, 1, bytes.length - 1);
}

describe('parseJsonNumber', () => {
  it('gives the same double as JSON.parse for every finite double JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = JSON.stringify(value);
        expect(Object.is(parse(text), JSON.parse(text))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives the same double as JSON.parse for long mantissas and exponents, and NaN where JSON.parse fails', () => {
    const alphabet = fc.constantFrom(...'0123456789012345678901234567890123456789.eE+-x '.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, minLength: 1, maxLength: 40 }), (text) => {
        expect(Object.is(parse(text), jsonParseNumber(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['17 significant digits', '123.45678901234567', 123.45678901234567],
    ['a negative exponent', '1e-7', 1e-7],
    ['an upper-case exponent with a sign', '2.5E+2', 250],
    ['an integer past 15 digits', '17951688098481234', 17951688098481234],
    ['negative zero', '-0', -0],
    ['an overflowing exponent', '1e400', Infinity],
  ])('reads %s', (_name, text, expected) => {
    expect(Object.is(parse(text), expected)).toBe(true);
  });

  it.each([
    ['a leading zero', '0123.5'],
    ['hex', '0x1f'],
    ['a bare fraction', '.5'],
    ['a trailing dot', '1.'],
    ['a plus sign', '+1'],
    ['an empty exponent', '1e'],
    ['a lone minus', '-'],
    ['Infinity', 'Infinity'],
    ['a space', '1 2'],
  ])('answers NaN for %s, which JSON does not allow', (_name, text) => {
    expect(parse(text)).toBeNaN();
  });

  it('leaves a number text longer than 64 characters to the fallback', () => {
    expect(parse(`1.${'5'.repeat(70)}`)).toBeNaN();
  });
});
