import fc from 'fast-check';
import { hexIdWithoutDigitLength, isIdSegment, normalisePath } from './normalise-path.js';

describe('normalisePath', () => {
  it.each([
    ['/users/123/orders/456', '/users/:id/orders/:id'],
    ['/orders/550e8400-e29b-41d4-a716-446655440000', '/orders/:id'],
    ['/blobs/deadbeef01234567', '/blobs/:id'],
    ['/sessions/aZ3kP9qLm2Xv7Yt0wQ1eR5', '/sessions/:id'],
    ['/api//v1/items/?page=2#top', '/api/v1/items'],
    ['/', '/'],
    ['', '/'],
    ['/users/:id', '/users/:id'],
    ['orders//12/lines/?x=1', '/orders/:id/lines'],
    ['/v1/1234567/abcdefg', '/v1/:id/abcdefg'],
  ])('templates %j as %j', (raw, expected) => {
    expect(normalisePath(raw)).toBe(expected);
  });

  it('keeps short words and version segments that merely look hex-ish', () => {
    expect(normalisePath('/cafe/add/v2/beef')).toBe('/cafe/add/v2/beef');
  });
});

describe('isIdSegment', () => {
  it.each([
    ['123', true],
    ['550E8400-E29B-41D4-A716-446655440000', true],
    ['deadbeef', false],
    ['deadbee1', true],
    ['deadbeefcafe', true],
    ['DEADBEEFCAFE', true],
    ['deadbeefcaf', false],
    ['deadbeefcafedeadbeefcafe', true],
    ['aZ3kP9qLm2Xv7Yt0wQ1eR5', true],
    ['aZ3kP9qLm2Xv7Yt0wQ1', false],
    ['abcdefghijklmnopqrstuvwxyz', false],
    ['v2', false],
    ['item.json', false],
    ['12.5', false],
    ['', false],
  ])('%j is an id: %s', (segment, expected) => {
    expect(isIdSegment(segment)).toBe(expected);
  });
});

/** Strings of `length` characters drawn from `alphabet`. */
const over = (alphabet: string, minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((cs) => cs.join(''));
const digits = '0123456789';
const hexLetters = 'abcdefABCDEF';
const hex = digits + hexLetters;
const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const token = `${letters}${digits}_-`;
/** Puts `c` at a place chosen by `at` (0..1) in `text`. */
const insert = (text: string, c: string, at: number) => {
  const i = Math.floor(at * (text.length + 1));
  return text.slice(0, i) + c + text.slice(i);
};
const unit = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

describe('isIdSegment (properties of the rule in docs/ingest-limits.md, "Path templates")', () => {
  it('takes every number', () => {
    fc.assert(fc.property(over(digits, 1, 40), (s) => expect(isIdSegment(s)).toBe(true)));
  });

  it('takes every UUID in any case', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), (u, upper) =>
        expect(isIdSegment(upper ? u.toUpperCase() : u)).toBe(true),
      ),
    );
  });

  it(`takes every run of ${hexIdWithoutDigitLength}+ hex characters, with or without a digit`, () => {
    fc.assert(
      fc.property(fc.oneof(over(hex, 12, 64), over(hexLetters, 12, 64)), (s) =>
        expect(isIdSegment(s)).toBe(true),
      ),
    );
  });

  it('takes 8-11 hex characters when a digit is among them, and keeps them as a word when none is', () => {
    fc.assert(
      fc.property(over(hex, 7, 10), fc.constantFrom(...digits), unit, (s, d, at) =>
        expect(isIdSegment(insert(s, d, at))).toBe(true),
      ),
    );
    fc.assert(fc.property(over(hexLetters, 8, 11), (s) => expect(isIdSegment(s)).toBe(false)));
  });

  it('takes every opaque token of 20+ characters with a letter and a digit', () => {
    fc.assert(
      fc.property(
        over(token, 18, 60),
        fc.constantFrom(...letters),
        fc.constantFrom(...digits),
        unit,
        unit,
        (s, l, d, at1, at2) => expect(isIdSegment(insert(insert(s, l, at1), d, at2))).toBe(true),
      ),
    );
  });

  it('keeps words: letters only with one past f, anything under 8 characters but a number', () => {
    fc.assert(
      fc.property(over(letters, 0, 60), fc.constantFrom(...'ghijklmnopqrstuvwxyzGXZ'), unit, (s, g, at) =>
        expect(isIdSegment(insert(s, g, at))).toBe(false),
      ),
    );
    fc.assert(fc.property(over(token, 1, 7), (s) => expect(isIdSegment(s)).toBe(/^[0-9]+$/.test(s))));
  });

  it('keeps a segment with any character outside [A-Za-z0-9_-] unless it is a number', () => {
    fc.assert(
      fc.property(over(hex, 8, 40), fc.constantFrom('.', '~', '%', '+', ':', '@'), unit, (s, c, at) =>
        expect(isIdSegment(insert(s, c, at))).toBe(false),
      ),
    );
  });

  it('judges a segment the same inside a path: /orders/<segment>/lines, and a template is its own template', () => {
    const segment = fc.oneof(over(hex, 1, 40), over(token, 1, 40), fc.uuid());
    fc.assert(
      fc.property(segment, (s) => {
        const template = normalisePath(`/orders/${s}/lines?x=1`);
        expect(template).toBe(isIdSegment(s) ? '/orders/:id/lines' : `/orders/${s}/lines`);
        expect(normalisePath(template)).toBe(template);
      }),
    );
  });
});
